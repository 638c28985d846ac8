from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LabelsOut")


@_attrs_define
class LabelsOut:
    """
    Attributes:
        accepted (int): items that received their first label
        unchanged (int): the same label again: a no-op
        overwritten (int):
        budget_spent (int):
        budget_left (int):
    """

    accepted: int
    unchanged: int
    overwritten: int
    budget_spent: int
    budget_left: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        unchanged = self.unchanged

        overwritten = self.overwritten

        budget_spent = self.budget_spent

        budget_left = self.budget_left

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted": accepted,
                "unchanged": unchanged,
                "overwritten": overwritten,
                "budget_spent": budget_spent,
                "budget_left": budget_left,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        accepted = d.pop("accepted")

        unchanged = d.pop("unchanged")

        overwritten = d.pop("overwritten")

        budget_spent = d.pop("budget_spent")

        budget_left = d.pop("budget_left")

        labels_out = cls(
            accepted=accepted,
            unchanged=unchanged,
            overwritten=overwritten,
            budget_spent=budget_spent,
            budget_left=budget_left,
        )

        labels_out.additional_properties = d
        return labels_out

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
