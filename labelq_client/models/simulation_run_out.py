from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.curve_out import CurveOut
    from ..models.label_free_out import LabelFreeOut
    from ..models.simulation_run_out_choices_item_item import (
        SimulationRunOutChoicesItemItem,
    )
    from ..models.simulation_run_out_objective_params import (
        SimulationRunOutObjectiveParams,
    )
    from ..models.simulation_run_out_params import SimulationRunOutParams


T = TypeVar("T", bound="SimulationRunOut")


@_attrs_define
class SimulationRunOut:
    """
    Attributes:
        strategy (str):
        params (SimulationRunOutParams):
        objective (str):
        objective_params (SimulationRunOutObjectiveParams):
        curve (CurveOut):
        auc (float): area under accuracy vs labels bought (trapezoid), divided by the label range; mean over seeds
        auc_std (float): population std of the per-seed AUCs
        per_seed_auc (list[float]):
        final_accuracy (float): eval accuracy after the last round, mean over seeds
        final_accuracy_std (float):
        class_counts (list[list[list[int]]]): what each seed's run bought: per seed, per round, how many of the items
            revealed that round belong to each class (the project's class order); for checking the class balance of a
            strategy's picks
        label_free (LabelFreeOut | None | Unset): stopping advice and label-free estimates
        choices (list[list[SimulationRunOutChoicesItemItem]] | Unset): per seed and round, what an adaptive strategy
            (auto) decided: arm, probabilities, why (empty for the others)
    """

    strategy: str
    params: SimulationRunOutParams
    objective: str
    objective_params: SimulationRunOutObjectiveParams
    curve: CurveOut
    auc: float
    auc_std: float
    per_seed_auc: list[float]
    final_accuracy: float
    final_accuracy_std: float
    class_counts: list[list[list[int]]]
    label_free: LabelFreeOut | None | Unset = UNSET
    choices: list[list[SimulationRunOutChoicesItemItem]] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.label_free_out import LabelFreeOut

        strategy = self.strategy

        params = self.params.to_dict()

        objective = self.objective

        objective_params = self.objective_params.to_dict()

        curve = self.curve.to_dict()

        auc = self.auc

        auc_std = self.auc_std

        per_seed_auc = self.per_seed_auc

        final_accuracy = self.final_accuracy

        final_accuracy_std = self.final_accuracy_std

        class_counts = []
        for class_counts_item_data in self.class_counts:
            class_counts_item = []
            for class_counts_item_item_data in class_counts_item_data:
                class_counts_item_item = class_counts_item_item_data

                class_counts_item.append(class_counts_item_item)

            class_counts.append(class_counts_item)

        label_free: dict[str, Any] | None | Unset
        if isinstance(self.label_free, Unset):
            label_free = UNSET
        elif isinstance(self.label_free, LabelFreeOut):
            label_free = self.label_free.to_dict()
        else:
            label_free = self.label_free

        choices: list[list[dict[str, Any]]] | Unset = UNSET
        if not isinstance(self.choices, Unset):
            choices = []
            for choices_item_data in self.choices:
                choices_item = []
                for choices_item_item_data in choices_item_data:
                    choices_item_item = choices_item_item_data.to_dict()
                    choices_item.append(choices_item_item)

                choices.append(choices_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "strategy": strategy,
                "params": params,
                "objective": objective,
                "objective_params": objective_params,
                "curve": curve,
                "auc": auc,
                "auc_std": auc_std,
                "per_seed_auc": per_seed_auc,
                "final_accuracy": final_accuracy,
                "final_accuracy_std": final_accuracy_std,
                "class_counts": class_counts,
            }
        )
        if label_free is not UNSET:
            field_dict["label_free"] = label_free
        if choices is not UNSET:
            field_dict["choices"] = choices

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.curve_out import CurveOut
        from ..models.label_free_out import LabelFreeOut
        from ..models.simulation_run_out_choices_item_item import (
            SimulationRunOutChoicesItemItem,
        )
        from ..models.simulation_run_out_objective_params import (
            SimulationRunOutObjectiveParams,
        )
        from ..models.simulation_run_out_params import SimulationRunOutParams

        d = dict(src_dict)
        strategy = d.pop("strategy")

        params = SimulationRunOutParams.from_dict(d.pop("params"))

        objective = d.pop("objective")

        objective_params = SimulationRunOutObjectiveParams.from_dict(
            d.pop("objective_params")
        )

        curve = CurveOut.from_dict(d.pop("curve"))

        auc = d.pop("auc")

        auc_std = d.pop("auc_std")

        per_seed_auc = cast(list[float], d.pop("per_seed_auc"))

        final_accuracy = d.pop("final_accuracy")

        final_accuracy_std = d.pop("final_accuracy_std")

        class_counts = []
        _class_counts = d.pop("class_counts")
        for class_counts_item_data in _class_counts:
            class_counts_item = []
            _class_counts_item = class_counts_item_data
            for class_counts_item_item_data in _class_counts_item:
                class_counts_item_item = cast(list[int], class_counts_item_item_data)

                class_counts_item.append(class_counts_item_item)

            class_counts.append(class_counts_item)

        def _parse_label_free(data: object) -> LabelFreeOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                label_free_type_0 = LabelFreeOut.from_dict(data)

                return label_free_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LabelFreeOut | None | Unset, data)

        label_free = _parse_label_free(d.pop("label_free", UNSET))

        _choices = d.pop("choices", UNSET)
        choices: list[list[SimulationRunOutChoicesItemItem]] | Unset = UNSET
        if _choices is not UNSET:
            choices = []
            for choices_item_data in _choices:
                choices_item = []
                _choices_item = choices_item_data
                for choices_item_item_data in _choices_item:
                    choices_item_item = SimulationRunOutChoicesItemItem.from_dict(
                        choices_item_item_data
                    )

                    choices_item.append(choices_item_item)

                choices.append(choices_item)

        simulation_run_out = cls(
            strategy=strategy,
            params=params,
            objective=objective,
            objective_params=objective_params,
            curve=curve,
            auc=auc,
            auc_std=auc_std,
            per_seed_auc=per_seed_auc,
            final_accuracy=final_accuracy,
            final_accuracy_std=final_accuracy_std,
            class_counts=class_counts,
            label_free=label_free,
            choices=choices,
        )

        simulation_run_out.additional_properties = d
        return simulation_run_out

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
