from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stop_outcome_out import StopOutcomeOut


T = TypeVar("T", bound="LabelFreeOut")


@_attrs_define
class LabelFreeOut:
    """Per seed and round, what was known without labels: the stop-set kappa with the previous
    round (None for round 0), ATC (calibrated on the source sample) and the average confidence as
    estimates of the eval accuracy, and how far they were from it.

        Attributes:
            kappa (list[list[float | None]]):
            atc (list[list[float | None]]):
            average_confidence (list[list[float | None]]):
            atc_error (float | None): mean |ATC - eval accuracy| over seeds and rounds
            average_confidence_error (float | None): mean |average confidence - eval accuracy|
            stopping (list[StopOutcomeOut]): per seed: following the stopping advice (LABELQ_STOP_KAPPA, LABELQ_STOP_WINDOW)
    """

    kappa: list[list[float | None]]
    atc: list[list[float | None]]
    average_confidence: list[list[float | None]]
    atc_error: float | None
    average_confidence_error: float | None
    stopping: list[StopOutcomeOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kappa = []
        for kappa_item_data in self.kappa:
            kappa_item = []
            for kappa_item_item_data in kappa_item_data:
                kappa_item_item: float | None
                kappa_item_item = kappa_item_item_data
                kappa_item.append(kappa_item_item)

            kappa.append(kappa_item)

        atc = []
        for atc_item_data in self.atc:
            atc_item = []
            for atc_item_item_data in atc_item_data:
                atc_item_item: float | None
                atc_item_item = atc_item_item_data
                atc_item.append(atc_item_item)

            atc.append(atc_item)

        average_confidence = []
        for average_confidence_item_data in self.average_confidence:
            average_confidence_item = []
            for average_confidence_item_item_data in average_confidence_item_data:
                average_confidence_item_item: float | None
                average_confidence_item_item = average_confidence_item_item_data
                average_confidence_item.append(average_confidence_item_item)

            average_confidence.append(average_confidence_item)

        atc_error: float | None
        atc_error = self.atc_error

        average_confidence_error: float | None
        average_confidence_error = self.average_confidence_error

        stopping = []
        for stopping_item_data in self.stopping:
            stopping_item = stopping_item_data.to_dict()
            stopping.append(stopping_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kappa": kappa,
                "atc": atc,
                "average_confidence": average_confidence,
                "atc_error": atc_error,
                "average_confidence_error": average_confidence_error,
                "stopping": stopping,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stop_outcome_out import StopOutcomeOut

        d = dict(src_dict)
        kappa = []
        _kappa = d.pop("kappa")
        for kappa_item_data in _kappa:
            kappa_item = []
            _kappa_item = kappa_item_data
            for kappa_item_item_data in _kappa_item:

                def _parse_kappa_item_item(data: object) -> float | None:
                    if data is None:
                        return data
                    return cast(float | None, data)

                kappa_item_item = _parse_kappa_item_item(kappa_item_item_data)

                kappa_item.append(kappa_item_item)

            kappa.append(kappa_item)

        atc = []
        _atc = d.pop("atc")
        for atc_item_data in _atc:
            atc_item = []
            _atc_item = atc_item_data
            for atc_item_item_data in _atc_item:

                def _parse_atc_item_item(data: object) -> float | None:
                    if data is None:
                        return data
                    return cast(float | None, data)

                atc_item_item = _parse_atc_item_item(atc_item_item_data)

                atc_item.append(atc_item_item)

            atc.append(atc_item)

        average_confidence = []
        _average_confidence = d.pop("average_confidence")
        for average_confidence_item_data in _average_confidence:
            average_confidence_item = []
            _average_confidence_item = average_confidence_item_data
            for average_confidence_item_item_data in _average_confidence_item:

                def _parse_average_confidence_item_item(data: object) -> float | None:
                    if data is None:
                        return data
                    return cast(float | None, data)

                average_confidence_item_item = _parse_average_confidence_item_item(
                    average_confidence_item_item_data
                )

                average_confidence_item.append(average_confidence_item_item)

            average_confidence.append(average_confidence_item)

        def _parse_atc_error(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        atc_error = _parse_atc_error(d.pop("atc_error"))

        def _parse_average_confidence_error(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_confidence_error = _parse_average_confidence_error(
            d.pop("average_confidence_error")
        )

        stopping = []
        _stopping = d.pop("stopping")
        for stopping_item_data in _stopping:
            stopping_item = StopOutcomeOut.from_dict(stopping_item_data)

            stopping.append(stopping_item)

        label_free_out = cls(
            kappa=kappa,
            atc=atc,
            average_confidence=average_confidence,
            atc_error=atc_error,
            average_confidence_error=average_confidence_error,
            stopping=stopping,
        )

        label_free_out.additional_properties = d
        return label_free_out

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
