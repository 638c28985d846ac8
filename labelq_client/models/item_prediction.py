from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.class_probability import ClassProbability


T = TypeVar("T", bound="ItemPrediction")


@_attrs_define
class ItemPrediction:
    """
    Attributes:
        item_id (int):
        external_id (str):
        label (int): the predicted class (ties to the lower index)
        top (list[ClassProbability]): the top_k most probable classes, most probable first
    """

    item_id: int
    external_id: str
    label: int
    top: list[ClassProbability]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        external_id = self.external_id

        label = self.label

        top = []
        for top_item_data in self.top:
            top_item = top_item_data.to_dict()
            top.append(top_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "item_id": item_id,
                "external_id": external_id,
                "label": label,
                "top": top,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.class_probability import ClassProbability

        d = dict(src_dict)
        item_id = d.pop("item_id")

        external_id = d.pop("external_id")

        label = d.pop("label")

        top = []
        _top = d.pop("top")
        for top_item_data in _top:
            top_item = ClassProbability.from_dict(top_item_data)

            top.append(top_item)

        item_prediction = cls(
            item_id=item_id,
            external_id=external_id,
            label=label,
            top=top,
        )

        item_prediction.additional_properties = d
        return item_prediction

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
