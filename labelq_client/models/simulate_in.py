from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.simulate_in_optimizer import (
    SimulateInOptimizer,
    check_simulate_in_optimizer,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.simulation_run_in import SimulationRunIn


T = TypeVar("T", bound="SimulateIn")


@_attrs_define
class SimulateIn:
    """
    Attributes:
        runs (list[SimulationRunIn]): strategy x objective
        schedule (list[int] | None | Unset): labels bought per round, e.g. [20, 20, 40]
        rounds (int | None | Unset): with per_round: schedule = rounds x per_round
        per_round (int | None | Unset):
        seeds (list[int] | Unset):
        epochs (int | Unset): training epochs after each round Default: 2.
        batch_size (int | Unset):  Default: 64.
        lr (float | Unset):  Default: 0.001.
        optimizer (SimulateInOptimizer | Unset):  Default: 'adam'.
        weight_decay (float | Unset):  Default: 0.0.
        checkpoint_id (int | None | Unset): start network (default: the latest ready)
        wait_seconds (float | Unset): block until finished, up to this long Default: 0.0.
    """

    runs: list[SimulationRunIn]
    schedule: list[int] | None | Unset = UNSET
    rounds: int | None | Unset = UNSET
    per_round: int | None | Unset = UNSET
    seeds: list[int] | Unset = UNSET
    epochs: int | Unset = 2
    batch_size: int | Unset = 64
    lr: float | Unset = 0.001
    optimizer: SimulateInOptimizer | Unset = "adam"
    weight_decay: float | Unset = 0.0
    checkpoint_id: int | None | Unset = UNSET
    wait_seconds: float | Unset = 0.0

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        schedule: list[int] | None | Unset
        if isinstance(self.schedule, Unset):
            schedule = UNSET
        elif isinstance(self.schedule, list):
            schedule = self.schedule

        else:
            schedule = self.schedule

        rounds: int | None | Unset
        if isinstance(self.rounds, Unset):
            rounds = UNSET
        else:
            rounds = self.rounds

        per_round: int | None | Unset
        if isinstance(self.per_round, Unset):
            per_round = UNSET
        else:
            per_round = self.per_round

        seeds: list[int] | Unset = UNSET
        if not isinstance(self.seeds, Unset):
            seeds = self.seeds

        epochs = self.epochs

        batch_size = self.batch_size

        lr = self.lr

        optimizer: str | Unset = UNSET
        if not isinstance(self.optimizer, Unset):
            optimizer = self.optimizer

        weight_decay = self.weight_decay

        checkpoint_id: int | None | Unset
        if isinstance(self.checkpoint_id, Unset):
            checkpoint_id = UNSET
        else:
            checkpoint_id = self.checkpoint_id

        wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runs": runs,
            }
        )
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if rounds is not UNSET:
            field_dict["rounds"] = rounds
        if per_round is not UNSET:
            field_dict["per_round"] = per_round
        if seeds is not UNSET:
            field_dict["seeds"] = seeds
        if epochs is not UNSET:
            field_dict["epochs"] = epochs
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if lr is not UNSET:
            field_dict["lr"] = lr
        if optimizer is not UNSET:
            field_dict["optimizer"] = optimizer
        if weight_decay is not UNSET:
            field_dict["weight_decay"] = weight_decay
        if checkpoint_id is not UNSET:
            field_dict["checkpoint_id"] = checkpoint_id
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.simulation_run_in import SimulationRunIn

        d = dict(src_dict)
        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = SimulationRunIn.from_dict(runs_item_data)

            runs.append(runs_item)

        def _parse_schedule(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                schedule_type_0 = cast(list[int], data)

                return schedule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        schedule = _parse_schedule(d.pop("schedule", UNSET))

        def _parse_rounds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rounds = _parse_rounds(d.pop("rounds", UNSET))

        def _parse_per_round(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        per_round = _parse_per_round(d.pop("per_round", UNSET))

        seeds = cast(list[int], d.pop("seeds", UNSET))

        epochs = d.pop("epochs", UNSET)

        batch_size = d.pop("batch_size", UNSET)

        lr = d.pop("lr", UNSET)

        _optimizer = d.pop("optimizer", UNSET)
        optimizer: SimulateInOptimizer | Unset
        if isinstance(_optimizer, Unset):
            optimizer = UNSET
        else:
            optimizer = check_simulate_in_optimizer(_optimizer)

        weight_decay = d.pop("weight_decay", UNSET)

        def _parse_checkpoint_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        checkpoint_id = _parse_checkpoint_id(d.pop("checkpoint_id", UNSET))

        wait_seconds = d.pop("wait_seconds", UNSET)

        simulate_in = cls(
            runs=runs,
            schedule=schedule,
            rounds=rounds,
            per_round=per_round,
            seeds=seeds,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            checkpoint_id=checkpoint_id,
            wait_seconds=wait_seconds,
        )

        return simulate_in
