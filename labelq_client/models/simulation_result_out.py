from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.simulation_run_out import SimulationRunOut


T = TypeVar("T", bound="SimulationResultOut")


@_attrs_define
class SimulationResultOut:
    """
    Attributes:
        runs (list[SimulationRunOut]):
        plot (str): blob key of the PNG plot
        plot_url (str): GET this for the PNG
        schedule (list[int]):
        seeds (list[int]):
        checkpoint_id (int): the start checkpoint
        pool_size (int): target train items with hidden labels
        eval_items (int):
    """

    runs: list[SimulationRunOut]
    plot: str
    plot_url: str
    schedule: list[int]
    seeds: list[int]
    checkpoint_id: int
    pool_size: int
    eval_items: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        plot = self.plot

        plot_url = self.plot_url

        schedule = self.schedule

        seeds = self.seeds

        checkpoint_id = self.checkpoint_id

        pool_size = self.pool_size

        eval_items = self.eval_items

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "runs": runs,
                "plot": plot,
                "plot_url": plot_url,
                "schedule": schedule,
                "seeds": seeds,
                "checkpoint_id": checkpoint_id,
                "pool_size": pool_size,
                "eval_items": eval_items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.simulation_run_out import SimulationRunOut

        d = dict(src_dict)
        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = SimulationRunOut.from_dict(runs_item_data)

            runs.append(runs_item)

        plot = d.pop("plot")

        plot_url = d.pop("plot_url")

        schedule = cast(list[int], d.pop("schedule"))

        seeds = cast(list[int], d.pop("seeds"))

        checkpoint_id = d.pop("checkpoint_id")

        pool_size = d.pop("pool_size")

        eval_items = d.pop("eval_items")

        simulation_result_out = cls(
            runs=runs,
            plot=plot,
            plot_url=plot_url,
            schedule=schedule,
            seeds=seeds,
            checkpoint_id=checkpoint_id,
            pool_size=pool_size,
            eval_items=eval_items,
        )

        simulation_result_out.additional_properties = d
        return simulation_result_out

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
