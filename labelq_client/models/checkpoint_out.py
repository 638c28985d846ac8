from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.checkpoint_out_status import (
    CheckpointOutStatus,
    check_checkpoint_out_status,
)

if TYPE_CHECKING:
    from ..models.checkpoint_out_arch_args import CheckpointOutArchArgs
    from ..models.checkpoint_out_history_item import CheckpointOutHistoryItem
    from ..models.checkpoint_out_input_spec import CheckpointOutInputSpec
    from ..models.checkpoint_out_metrics import CheckpointOutMetrics
    from ..models.checkpoint_out_params import CheckpointOutParams


T = TypeVar("T", bound="CheckpointOut")


@_attrs_define
class CheckpointOut:
    """
    Attributes:
        id (int):
        project_id (int):
        version (int | None): 1, 2, ... in the order checkpoints became ready; null until then
        parent_id (int | None):
        status (CheckpointOutStatus):
        architecture (str):
        arch_args (CheckpointOutArchArgs):
        input_spec (CheckpointOutInputSpec):
        origin (str):
        sha256 (None | str):
        size_bytes (int | None):
        error (None | str):
        objective (None | str):
        params (CheckpointOutParams):
        seed (int | None):
        history (list[CheckpointOutHistoryItem]):
        metrics (CheckpointOutMetrics):
        labels_at_training (int | None):
        job_id (int | None):
        created_at (datetime.datetime):
    """

    id: int
    project_id: int
    version: int | None
    parent_id: int | None
    status: CheckpointOutStatus
    architecture: str
    arch_args: CheckpointOutArchArgs
    input_spec: CheckpointOutInputSpec
    origin: str
    sha256: None | str
    size_bytes: int | None
    error: None | str
    objective: None | str
    params: CheckpointOutParams
    seed: int | None
    history: list[CheckpointOutHistoryItem]
    metrics: CheckpointOutMetrics
    labels_at_training: int | None
    job_id: int | None
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        project_id = self.project_id

        version: int | None
        version = self.version

        parent_id: int | None
        parent_id = self.parent_id

        status: str = self.status

        architecture = self.architecture

        arch_args = self.arch_args.to_dict()

        input_spec = self.input_spec.to_dict()

        origin = self.origin

        sha256: None | str
        sha256 = self.sha256

        size_bytes: int | None
        size_bytes = self.size_bytes

        error: None | str
        error = self.error

        objective: None | str
        objective = self.objective

        params = self.params.to_dict()

        seed: int | None
        seed = self.seed

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        metrics = self.metrics.to_dict()

        labels_at_training: int | None
        labels_at_training = self.labels_at_training

        job_id: int | None
        job_id = self.job_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "project_id": project_id,
                "version": version,
                "parent_id": parent_id,
                "status": status,
                "architecture": architecture,
                "arch_args": arch_args,
                "input_spec": input_spec,
                "origin": origin,
                "sha256": sha256,
                "size_bytes": size_bytes,
                "error": error,
                "objective": objective,
                "params": params,
                "seed": seed,
                "history": history,
                "metrics": metrics,
                "labels_at_training": labels_at_training,
                "job_id": job_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.checkpoint_out_arch_args import CheckpointOutArchArgs
        from ..models.checkpoint_out_history_item import CheckpointOutHistoryItem
        from ..models.checkpoint_out_input_spec import CheckpointOutInputSpec
        from ..models.checkpoint_out_metrics import CheckpointOutMetrics
        from ..models.checkpoint_out_params import CheckpointOutParams

        d = dict(src_dict)
        id = d.pop("id")

        project_id = d.pop("project_id")

        def _parse_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        version = _parse_version(d.pop("version"))

        def _parse_parent_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        parent_id = _parse_parent_id(d.pop("parent_id"))

        status = check_checkpoint_out_status(d.pop("status"))

        architecture = d.pop("architecture")

        arch_args = CheckpointOutArchArgs.from_dict(d.pop("arch_args"))

        input_spec = CheckpointOutInputSpec.from_dict(d.pop("input_spec"))

        origin = d.pop("origin")

        def _parse_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sha256 = _parse_sha256(d.pop("sha256"))

        def _parse_size_bytes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_objective(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        objective = _parse_objective(d.pop("objective"))

        params = CheckpointOutParams.from_dict(d.pop("params"))

        def _parse_seed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seed = _parse_seed(d.pop("seed"))

        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = CheckpointOutHistoryItem.from_dict(history_item_data)

            history.append(history_item)

        metrics = CheckpointOutMetrics.from_dict(d.pop("metrics"))

        def _parse_labels_at_training(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        labels_at_training = _parse_labels_at_training(d.pop("labels_at_training"))

        def _parse_job_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        job_id = _parse_job_id(d.pop("job_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        checkpoint_out = cls(
            id=id,
            project_id=project_id,
            version=version,
            parent_id=parent_id,
            status=status,
            architecture=architecture,
            arch_args=arch_args,
            input_spec=input_spec,
            origin=origin,
            sha256=sha256,
            size_bytes=size_bytes,
            error=error,
            objective=objective,
            params=params,
            seed=seed,
            history=history,
            metrics=metrics,
            labels_at_training=labels_at_training,
            job_id=job_id,
            created_at=created_at,
        )

        checkpoint_out.additional_properties = d
        return checkpoint_out

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
