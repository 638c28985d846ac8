from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RoundMetricsRow")


@_attrs_define
class RoundMetricsRow:
    """
    Attributes:
        round_id (int):
        number (int):
        status (str):
        strategy (str):
        budget (int):
        selected (int):
        labeled (int): selected items that carry a label now
        score_mean (float | None):
        score_min (float | None):
        score_max (float | None):
        checkpoint_id (int):
        checkpoint_version (int):
        eval_accuracy (float | None): eval accuracy of the checkpoint the round scored with
    """

    round_id: int
    number: int
    status: str
    strategy: str
    budget: int
    selected: int
    labeled: int
    score_mean: float | None
    score_min: float | None
    score_max: float | None
    checkpoint_id: int
    checkpoint_version: int
    eval_accuracy: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        round_id = self.round_id

        number = self.number

        status = self.status

        strategy = self.strategy

        budget = self.budget

        selected = self.selected

        labeled = self.labeled

        score_mean: float | None
        score_mean = self.score_mean

        score_min: float | None
        score_min = self.score_min

        score_max: float | None
        score_max = self.score_max

        checkpoint_id = self.checkpoint_id

        checkpoint_version = self.checkpoint_version

        eval_accuracy: float | None
        eval_accuracy = self.eval_accuracy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "round_id": round_id,
                "number": number,
                "status": status,
                "strategy": strategy,
                "budget": budget,
                "selected": selected,
                "labeled": labeled,
                "score_mean": score_mean,
                "score_min": score_min,
                "score_max": score_max,
                "checkpoint_id": checkpoint_id,
                "checkpoint_version": checkpoint_version,
                "eval_accuracy": eval_accuracy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        round_id = d.pop("round_id")

        number = d.pop("number")

        status = d.pop("status")

        strategy = d.pop("strategy")

        budget = d.pop("budget")

        selected = d.pop("selected")

        labeled = d.pop("labeled")

        def _parse_score_mean(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        score_mean = _parse_score_mean(d.pop("score_mean"))

        def _parse_score_min(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        score_min = _parse_score_min(d.pop("score_min"))

        def _parse_score_max(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        score_max = _parse_score_max(d.pop("score_max"))

        checkpoint_id = d.pop("checkpoint_id")

        checkpoint_version = d.pop("checkpoint_version")

        def _parse_eval_accuracy(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        eval_accuracy = _parse_eval_accuracy(d.pop("eval_accuracy"))

        round_metrics_row = cls(
            round_id=round_id,
            number=number,
            status=status,
            strategy=strategy,
            budget=budget,
            selected=selected,
            labeled=labeled,
            score_mean=score_mean,
            score_min=score_min,
            score_max=score_max,
            checkpoint_id=checkpoint_id,
            checkpoint_version=checkpoint_version,
            eval_accuracy=eval_accuracy,
        )

        round_metrics_row.additional_properties = d
        return round_metrics_row

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
