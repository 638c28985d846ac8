from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metrics_row_metrics import MetricsRowMetrics


T = TypeVar("T", bound="MetricsRow")


@_attrs_define
class MetricsRow:
    """
    Attributes:
        checkpoint_id (int):
        version (int):
        objective (None | str):
        labels_at_training (int | None):
        metrics (MetricsRowMetrics):
        created_at (datetime.datetime):
    """

    checkpoint_id: int
    version: int
    objective: None | str
    labels_at_training: int | None
    metrics: MetricsRowMetrics
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checkpoint_id = self.checkpoint_id

        version = self.version

        objective: None | str
        objective = self.objective

        labels_at_training: int | None
        labels_at_training = self.labels_at_training

        metrics = self.metrics.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkpoint_id": checkpoint_id,
                "version": version,
                "objective": objective,
                "labels_at_training": labels_at_training,
                "metrics": metrics,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.metrics_row_metrics import MetricsRowMetrics

        d = dict(src_dict)
        checkpoint_id = d.pop("checkpoint_id")

        version = d.pop("version")

        def _parse_objective(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        objective = _parse_objective(d.pop("objective"))

        def _parse_labels_at_training(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        labels_at_training = _parse_labels_at_training(d.pop("labels_at_training"))

        metrics = MetricsRowMetrics.from_dict(d.pop("metrics"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        metrics_row = cls(
            checkpoint_id=checkpoint_id,
            version=version,
            objective=objective,
            labels_at_training=labels_at_training,
            metrics=metrics,
            created_at=created_at,
        )

        metrics_row.additional_properties = d
        return metrics_row

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
