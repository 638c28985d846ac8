from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metrics_row import MetricsRow
    from ..models.round_metrics_row import RoundMetricsRow
    from ..models.stop_advice_out import StopAdviceOut


T = TypeVar("T", bound="MetricsOut")


@_attrs_define
class MetricsOut:
    """
    Attributes:
        project_id (int):
        budget (int):
        budget_spent (int):
        rounds (int):
        round_stats (list[RoundMetricsRow]):
        checkpoints (list[MetricsRow]):
        stopping (StopAdviceOut): Stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's kappa between each
            retrained checkpoint's predictions and its parent's on the project's fixed stop set.
    """

    project_id: int
    budget: int
    budget_spent: int
    rounds: int
    round_stats: list[RoundMetricsRow]
    checkpoints: list[MetricsRow]
    stopping: StopAdviceOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        project_id = self.project_id

        budget = self.budget

        budget_spent = self.budget_spent

        rounds = self.rounds

        round_stats = []
        for round_stats_item_data in self.round_stats:
            round_stats_item = round_stats_item_data.to_dict()
            round_stats.append(round_stats_item)

        checkpoints = []
        for checkpoints_item_data in self.checkpoints:
            checkpoints_item = checkpoints_item_data.to_dict()
            checkpoints.append(checkpoints_item)

        stopping = self.stopping.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "project_id": project_id,
                "budget": budget,
                "budget_spent": budget_spent,
                "rounds": rounds,
                "round_stats": round_stats,
                "checkpoints": checkpoints,
                "stopping": stopping,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.metrics_row import MetricsRow
        from ..models.round_metrics_row import RoundMetricsRow
        from ..models.stop_advice_out import StopAdviceOut

        d = dict(src_dict)
        project_id = d.pop("project_id")

        budget = d.pop("budget")

        budget_spent = d.pop("budget_spent")

        rounds = d.pop("rounds")

        round_stats = []
        _round_stats = d.pop("round_stats")
        for round_stats_item_data in _round_stats:
            round_stats_item = RoundMetricsRow.from_dict(round_stats_item_data)

            round_stats.append(round_stats_item)

        checkpoints = []
        _checkpoints = d.pop("checkpoints")
        for checkpoints_item_data in _checkpoints:
            checkpoints_item = MetricsRow.from_dict(checkpoints_item_data)

            checkpoints.append(checkpoints_item)

        stopping = StopAdviceOut.from_dict(d.pop("stopping"))

        metrics_out = cls(
            project_id=project_id,
            budget=budget,
            budget_spent=budget_spent,
            rounds=rounds,
            round_stats=round_stats,
            checkpoints=checkpoints,
            stopping=stopping,
        )

        metrics_out.additional_properties = d
        return metrics_out

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
