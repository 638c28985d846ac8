from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CurveOut")


@_attrs_define
class CurveOut:
    """
    Attributes:
        labels (list[int]): target labels bought after each round; round 0 = the start
        mean (list[float]): eval accuracy per round, mean over seeds
        std (list[float]): eval accuracy per round, population std over seeds
        per_seed (list[list[float]]): eval accuracy per round, one list per seed
    """

    labels: list[int]
    mean: list[float]
    std: list[float]
    per_seed: list[list[float]]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels = self.labels

        mean = self.mean

        std = self.std

        per_seed = []
        for per_seed_item_data in self.per_seed:
            per_seed_item = per_seed_item_data

            per_seed.append(per_seed_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "labels": labels,
                "mean": mean,
                "std": std,
                "per_seed": per_seed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        labels = cast(list[int], d.pop("labels"))

        mean = cast(list[float], d.pop("mean"))

        std = cast(list[float], d.pop("std"))

        per_seed = []
        _per_seed = d.pop("per_seed")
        for per_seed_item_data in _per_seed:
            per_seed_item = cast(list[float], per_seed_item_data)

            per_seed.append(per_seed_item)

        curve_out = cls(
            labels=labels,
            mean=mean,
            std=std,
            per_seed=per_seed,
        )

        curve_out.additional_properties = d
        return curve_out

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
