from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.prediction_out import PredictionOut
    from ..models.selection_out_components import SelectionOutComponents


T = TypeVar("T", bound="SelectionOut")


@_attrs_define
class SelectionOut:
    """
    Attributes:
        item_id (int):
        external_id (str):
        rank (int):
        score (float):
        components (SelectionOutComponents):
        label (int | None | Unset): the item's label, once it has one
        prediction (None | PredictionOut | Unset): the round's checkpoint's predicted class and top-3 probabilities
    """

    item_id: int
    external_id: str
    rank: int
    score: float
    components: SelectionOutComponents
    label: int | None | Unset = UNSET
    prediction: None | PredictionOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.prediction_out import PredictionOut

        item_id = self.item_id

        external_id = self.external_id

        rank = self.rank

        score = self.score

        components = self.components.to_dict()

        label: int | None | Unset
        if isinstance(self.label, Unset):
            label = UNSET
        else:
            label = self.label

        prediction: dict[str, Any] | None | Unset
        if isinstance(self.prediction, Unset):
            prediction = UNSET
        elif isinstance(self.prediction, PredictionOut):
            prediction = self.prediction.to_dict()
        else:
            prediction = self.prediction

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "item_id": item_id,
                "external_id": external_id,
                "rank": rank,
                "score": score,
                "components": components,
            }
        )
        if label is not UNSET:
            field_dict["label"] = label
        if prediction is not UNSET:
            field_dict["prediction"] = prediction

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.prediction_out import PredictionOut
        from ..models.selection_out_components import SelectionOutComponents

        d = dict(src_dict)
        item_id = d.pop("item_id")

        external_id = d.pop("external_id")

        rank = d.pop("rank")

        score = d.pop("score")

        components = SelectionOutComponents.from_dict(d.pop("components"))

        def _parse_label(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        label = _parse_label(d.pop("label", UNSET))

        def _parse_prediction(data: object) -> None | PredictionOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prediction_type_0 = PredictionOut.from_dict(data)

                return prediction_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PredictionOut | Unset, data)

        prediction = _parse_prediction(d.pop("prediction", UNSET))

        selection_out = cls(
            item_id=item_id,
            external_id=external_id,
            rank=rank,
            score=score,
            components=components,
            label=label,
            prediction=prediction,
        )

        selection_out.additional_properties = d
        return selection_out

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
