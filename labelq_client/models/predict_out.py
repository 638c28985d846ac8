from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.item_prediction import ItemPrediction
    from ..models.job_out import JobOut


T = TypeVar("T", bound="PredictOut")


@_attrs_define
class PredictOut:
    """
    Attributes:
        job (JobOut):
        total (int): items asked for (pool_id: items in the pool)
        predictions (list[ItemPrediction] | None | Unset): in the order asked (pool_id: by row); null until the job
            succeeded
    """

    job: JobOut
    total: int
    predictions: list[ItemPrediction] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job = self.job.to_dict()

        total = self.total

        predictions: list[dict[str, Any]] | None | Unset
        if isinstance(self.predictions, Unset):
            predictions = UNSET
        elif isinstance(self.predictions, list):
            predictions = []
            for predictions_type_0_item_data in self.predictions:
                predictions_type_0_item = predictions_type_0_item_data.to_dict()
                predictions.append(predictions_type_0_item)

        else:
            predictions = self.predictions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job": job,
                "total": total,
            }
        )
        if predictions is not UNSET:
            field_dict["predictions"] = predictions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.item_prediction import ItemPrediction
        from ..models.job_out import JobOut

        d = dict(src_dict)
        job = JobOut.from_dict(d.pop("job"))

        total = d.pop("total")

        def _parse_predictions(data: object) -> list[ItemPrediction] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                predictions_type_0 = []
                _predictions_type_0 = data
                for predictions_type_0_item_data in _predictions_type_0:
                    predictions_type_0_item = ItemPrediction.from_dict(
                        predictions_type_0_item_data
                    )

                    predictions_type_0.append(predictions_type_0_item)

                return predictions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ItemPrediction] | None | Unset, data)

        predictions = _parse_predictions(d.pop("predictions", UNSET))

        predict_out = cls(
            job=job,
            total=total,
            predictions=predictions,
        )

        predict_out.additional_properties = d
        return predict_out

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
