from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.class_probability import ClassProbability


T = TypeVar("T", bound="PredictionOut")


@_attrs_define
class PredictionOut:
    """
    Attributes:
        label (int): the predicted class (the most probable; ties to the lower index)
        top (list[ClassProbability]): the most probable classes, most probable first
    """

    label: int
    top: list[ClassProbability]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        top = []
        for top_item_data in self.top:
            top_item = top_item_data.to_dict()
            top.append(top_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "label": label,
                "top": top,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.class_probability import ClassProbability

        d = dict(src_dict)
        label = d.pop("label")

        top = []
        _top = d.pop("top")
        for top_item_data in _top:
            top_item = ClassProbability.from_dict(top_item_data)

            top.append(top_item)

        prediction_out = cls(
            label=label,
            top=top,
        )

        prediction_out.additional_properties = d
        return prediction_out

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
