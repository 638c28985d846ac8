from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.simulation_run_in_objective_params import (
        SimulationRunInObjectiveParams,
    )
    from ..models.simulation_run_in_params import SimulationRunInParams


T = TypeVar("T", bound="SimulationRunIn")


@_attrs_define
class SimulationRunIn:
    """
    Attributes:
        strategy (str): a strategy name (GET /strategies)
        params (SimulationRunInParams | Unset): strategy parameters
        objective (None | str | Unset): training objective; default: the project's
        objective_params (SimulationRunInObjectiveParams | Unset): objective parameters
    """

    strategy: str
    params: SimulationRunInParams | Unset = UNSET
    objective: None | str | Unset = UNSET
    objective_params: SimulationRunInObjectiveParams | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        strategy = self.strategy

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        objective: None | str | Unset
        if isinstance(self.objective, Unset):
            objective = UNSET
        else:
            objective = self.objective

        objective_params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.objective_params, Unset):
            objective_params = self.objective_params.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "strategy": strategy,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params
        if objective is not UNSET:
            field_dict["objective"] = objective
        if objective_params is not UNSET:
            field_dict["objective_params"] = objective_params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.simulation_run_in_objective_params import (
            SimulationRunInObjectiveParams,
        )
        from ..models.simulation_run_in_params import SimulationRunInParams

        d = dict(src_dict)
        strategy = d.pop("strategy")

        _params = d.pop("params", UNSET)
        params: SimulationRunInParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = SimulationRunInParams.from_dict(_params)

        def _parse_objective(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        objective = _parse_objective(d.pop("objective", UNSET))

        _objective_params = d.pop("objective_params", UNSET)
        objective_params: SimulationRunInObjectiveParams | Unset
        if isinstance(_objective_params, Unset):
            objective_params = UNSET
        else:
            objective_params = SimulationRunInObjectiveParams.from_dict(
                _objective_params
            )

        simulation_run_in = cls(
            strategy=strategy,
            params=params,
            objective=objective,
            objective_params=objective_params,
        )

        return simulation_run_in
