from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProjectCreatedOut")


@_attrs_define
class ProjectCreatedOut:
    """
    Attributes:
        id (int):
        name (str):
        classes (list[str]):
        input_shape (list[int]):
        budget (int):
        budget_spent (int):
        budget_left (int):
        default_strategy (str):
        default_objective (str):
        created_at (datetime.datetime):
        api_key (str): the project's API key; shown only once
        budget_reserved (int | Unset):  Default: 0.
    """

    id: int
    name: str
    classes: list[str]
    input_shape: list[int]
    budget: int
    budget_spent: int
    budget_left: int
    default_strategy: str
    default_objective: str
    created_at: datetime.datetime
    api_key: str
    budget_reserved: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        classes = self.classes

        input_shape = self.input_shape

        budget = self.budget

        budget_spent = self.budget_spent

        budget_left = self.budget_left

        default_strategy = self.default_strategy

        default_objective = self.default_objective

        created_at = self.created_at.isoformat()

        api_key = self.api_key

        budget_reserved = self.budget_reserved

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "classes": classes,
                "input_shape": input_shape,
                "budget": budget,
                "budget_spent": budget_spent,
                "budget_left": budget_left,
                "default_strategy": default_strategy,
                "default_objective": default_objective,
                "created_at": created_at,
                "api_key": api_key,
            }
        )
        if budget_reserved is not UNSET:
            field_dict["budget_reserved"] = budget_reserved

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        classes = cast(list[str], d.pop("classes"))

        input_shape = cast(list[int], d.pop("input_shape"))

        budget = d.pop("budget")

        budget_spent = d.pop("budget_spent")

        budget_left = d.pop("budget_left")

        default_strategy = d.pop("default_strategy")

        default_objective = d.pop("default_objective")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        api_key = d.pop("api_key")

        budget_reserved = d.pop("budget_reserved", UNSET)

        project_created_out = cls(
            id=id,
            name=name,
            classes=classes,
            input_shape=input_shape,
            budget=budget,
            budget_spent=budget_spent,
            budget_left=budget_left,
            default_strategy=default_strategy,
            default_objective=default_objective,
            created_at=created_at,
            api_key=api_key,
            budget_reserved=budget_reserved,
        )

        project_created_out.additional_properties = d
        return project_created_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
