from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StopOutcomeOut")


@_attrs_define
class StopOutcomeOut:
    """
    Attributes:
        stop_round (int | None): the first round the stopping advice called stable
        labels_at_stop (int | None):
        labels_saved (int | None): labels the later rounds bought
        accuracy_given_up (float | None): final accuracy minus the accuracy at the stop
    """

    stop_round: int | None
    labels_at_stop: int | None
    labels_saved: int | None
    accuracy_given_up: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stop_round: int | None
        stop_round = self.stop_round

        labels_at_stop: int | None
        labels_at_stop = self.labels_at_stop

        labels_saved: int | None
        labels_saved = self.labels_saved

        accuracy_given_up: float | None
        accuracy_given_up = self.accuracy_given_up

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stop_round": stop_round,
                "labels_at_stop": labels_at_stop,
                "labels_saved": labels_saved,
                "accuracy_given_up": accuracy_given_up,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_stop_round(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        stop_round = _parse_stop_round(d.pop("stop_round"))

        def _parse_labels_at_stop(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        labels_at_stop = _parse_labels_at_stop(d.pop("labels_at_stop"))

        def _parse_labels_saved(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        labels_saved = _parse_labels_saved(d.pop("labels_saved"))

        def _parse_accuracy_given_up(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        accuracy_given_up = _parse_accuracy_given_up(d.pop("accuracy_given_up"))

        stop_outcome_out = cls(
            stop_round=stop_round,
            labels_at_stop=labels_at_stop,
            labels_saved=labels_saved,
            accuracy_given_up=accuracy_given_up,
        )

        stop_outcome_out.additional_properties = d
        return stop_outcome_out

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
