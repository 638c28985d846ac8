from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.train_in_optimizer import TrainInOptimizer, check_train_in_optimizer
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.train_in_arch_args import TrainInArchArgs
    from ..models.train_in_params import TrainInParams


T = TypeVar("T", bound="TrainIn")


@_attrs_define
class TrainIn:
    """
    Attributes:
        objective (None | str | Unset): default: the project's default objective
        params (TrainInParams | Unset):
        checkpoint_id (int | None | Unset): start from this checkpoint (default: latest ready)
        architecture (None | str | Unset): network for a from-scratch training; another one than the starting
            checkpoint's is a 409 unless from_scratch
        from_scratch (bool | Unset): ignore existing checkpoints; needs architecture Default: False.
        arch_args (TrainInArchArgs | Unset):
        epochs (int | Unset):  Default: 3.
        batch_size (int | Unset):  Default: 64.
        lr (float | Unset):  Default: 0.001.
        optimizer (TrainInOptimizer | Unset):  Default: 'adam'.
        weight_decay (float | Unset):  Default: 0.0.
        seed (int | Unset):  Default: 0.
        wait_seconds (float | Unset):  Default: 0.0.
    """

    objective: None | str | Unset = UNSET
    params: TrainInParams | Unset = UNSET
    checkpoint_id: int | None | Unset = UNSET
    architecture: None | str | Unset = UNSET
    from_scratch: bool | Unset = False
    arch_args: TrainInArchArgs | Unset = UNSET
    epochs: int | Unset = 3
    batch_size: int | Unset = 64
    lr: float | Unset = 0.001
    optimizer: TrainInOptimizer | Unset = "adam"
    weight_decay: float | Unset = 0.0
    seed: int | Unset = 0
    wait_seconds: float | Unset = 0.0

    def to_dict(self) -> dict[str, Any]:
        objective: None | str | Unset
        if isinstance(self.objective, Unset):
            objective = UNSET
        else:
            objective = self.objective

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        checkpoint_id: int | None | Unset
        if isinstance(self.checkpoint_id, Unset):
            checkpoint_id = UNSET
        else:
            checkpoint_id = self.checkpoint_id

        architecture: None | str | Unset
        if isinstance(self.architecture, Unset):
            architecture = UNSET
        else:
            architecture = self.architecture

        from_scratch = self.from_scratch

        arch_args: dict[str, Any] | Unset = UNSET
        if not isinstance(self.arch_args, Unset):
            arch_args = self.arch_args.to_dict()

        epochs = self.epochs

        batch_size = self.batch_size

        lr = self.lr

        optimizer: str | Unset = UNSET
        if not isinstance(self.optimizer, Unset):
            optimizer = self.optimizer

        weight_decay = self.weight_decay

        seed = self.seed

        wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if objective is not UNSET:
            field_dict["objective"] = objective
        if params is not UNSET:
            field_dict["params"] = params
        if checkpoint_id is not UNSET:
            field_dict["checkpoint_id"] = checkpoint_id
        if architecture is not UNSET:
            field_dict["architecture"] = architecture
        if from_scratch is not UNSET:
            field_dict["from_scratch"] = from_scratch
        if arch_args is not UNSET:
            field_dict["arch_args"] = arch_args
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
        if seed is not UNSET:
            field_dict["seed"] = seed
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.train_in_arch_args import TrainInArchArgs
        from ..models.train_in_params import TrainInParams

        d = dict(src_dict)

        def _parse_objective(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        objective = _parse_objective(d.pop("objective", UNSET))

        _params = d.pop("params", UNSET)
        params: TrainInParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = TrainInParams.from_dict(_params)

        def _parse_checkpoint_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        checkpoint_id = _parse_checkpoint_id(d.pop("checkpoint_id", UNSET))

        def _parse_architecture(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        architecture = _parse_architecture(d.pop("architecture", UNSET))

        from_scratch = d.pop("from_scratch", UNSET)

        _arch_args = d.pop("arch_args", UNSET)
        arch_args: TrainInArchArgs | Unset
        if isinstance(_arch_args, Unset):
            arch_args = UNSET
        else:
            arch_args = TrainInArchArgs.from_dict(_arch_args)

        epochs = d.pop("epochs", UNSET)

        batch_size = d.pop("batch_size", UNSET)

        lr = d.pop("lr", UNSET)

        _optimizer = d.pop("optimizer", UNSET)
        optimizer: TrainInOptimizer | Unset
        if isinstance(_optimizer, Unset):
            optimizer = UNSET
        else:
            optimizer = check_train_in_optimizer(_optimizer)

        weight_decay = d.pop("weight_decay", UNSET)

        seed = d.pop("seed", UNSET)

        wait_seconds = d.pop("wait_seconds", UNSET)

        train_in = cls(
            objective=objective,
            params=params,
            checkpoint_id=checkpoint_id,
            architecture=architecture,
            from_scratch=from_scratch,
            arch_args=arch_args,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            seed=seed,
            wait_seconds=wait_seconds,
        )

        return train_in
