from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StopAdviceOut")


@_attrs_define
class StopAdviceOut:
    """Stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's kappa between each
    retrained checkpoint's predictions and its parent's on the project's fixed stop set.

        Attributes:
            stable (bool): the mean of the last `window` kappas reached `threshold`
            kappas (list[float]): the latest checkpoints' stop-set kappas, oldest first
            mean_kappa (float | None):
            threshold (float): LABELQ_STOP_KAPPA
            window (int): LABELQ_STOP_WINDOW
            message (str):
    """

    stable: bool
    kappas: list[float]
    mean_kappa: float | None
    threshold: float
    window: int
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stable = self.stable

        kappas = self.kappas

        mean_kappa: float | None
        mean_kappa = self.mean_kappa

        threshold = self.threshold

        window = self.window

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stable": stable,
                "kappas": kappas,
                "mean_kappa": mean_kappa,
                "threshold": threshold,
                "window": window,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stable = d.pop("stable")

        kappas = cast(list[float], d.pop("kappas"))

        def _parse_mean_kappa(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        mean_kappa = _parse_mean_kappa(d.pop("mean_kappa"))

        threshold = d.pop("threshold")

        window = d.pop("window")

        message = d.pop("message")

        stop_advice_out = cls(
            stable=stable,
            kappas=kappas,
            mean_kappa=mean_kappa,
            threshold=threshold,
            window=window,
            message=message,
        )

        stop_advice_out.additional_properties = d
        return stop_advice_out

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
