from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProjectIn")


@_attrs_define
class ProjectIn:
    """
    Attributes:
        name (str):
        classes (list[str]):
        input_shape (list[int]): item shape, e.g. [1, 28, 28]
        budget (int): total labels that may be bought
        default_strategy (str | Unset):  Default: 'entropy'.
        default_objective (str | Unset):  Default: 'ce'.
    """

    name: str
    classes: list[str]
    input_shape: list[int]
    budget: int
    default_strategy: str | Unset = "entropy"
    default_objective: str | Unset = "ce"

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        classes = self.classes

        input_shape = self.input_shape

        budget = self.budget

        default_strategy = self.default_strategy

        default_objective = self.default_objective

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "classes": classes,
                "input_shape": input_shape,
                "budget": budget,
            }
        )
        if default_strategy is not UNSET:
            field_dict["default_strategy"] = default_strategy
        if default_objective is not UNSET:
            field_dict["default_objective"] = default_objective

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        classes = cast(list[str], d.pop("classes"))

        input_shape = cast(list[int], d.pop("input_shape"))

        budget = d.pop("budget")

        default_strategy = d.pop("default_strategy", UNSET)

        default_objective = d.pop("default_objective", UNSET)

        project_in = cls(
            name=name,
            classes=classes,
            input_shape=input_shape,
            budget=budget,
            default_strategy=default_strategy,
            default_objective=default_objective,
        )

        return project_in
