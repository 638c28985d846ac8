from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.query_batch_in_params import QueryBatchInParams


T = TypeVar("T", bound="QueryBatchIn")


@_attrs_define
class QueryBatchIn:
    """
    Attributes:
        project_id (int):
        budget (int): how many items to select
        strategy (None | str | Unset): default: the project's default strategy
        params (QueryBatchInParams | Unset): strategy parameters (GET /strategies)
        checkpoint_id (int | None | Unset): default: the latest ready checkpoint
        idempotency_key (None | str | Unset):
        seed (int | Unset):  Default: 0.
        wait_seconds (float | None | Unset): block until ready, up to this long
    """

    project_id: int
    budget: int
    strategy: None | str | Unset = UNSET
    params: QueryBatchInParams | Unset = UNSET
    checkpoint_id: int | None | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET
    seed: int | Unset = 0
    wait_seconds: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        project_id = self.project_id

        budget = self.budget

        strategy: None | str | Unset
        if isinstance(self.strategy, Unset):
            strategy = UNSET
        else:
            strategy = self.strategy

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        checkpoint_id: int | None | Unset
        if isinstance(self.checkpoint_id, Unset):
            checkpoint_id = UNSET
        else:
            checkpoint_id = self.checkpoint_id

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        seed = self.seed

        wait_seconds: float | None | Unset
        if isinstance(self.wait_seconds, Unset):
            wait_seconds = UNSET
        else:
            wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "project_id": project_id,
                "budget": budget,
            }
        )
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if params is not UNSET:
            field_dict["params"] = params
        if checkpoint_id is not UNSET:
            field_dict["checkpoint_id"] = checkpoint_id
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key
        if seed is not UNSET:
            field_dict["seed"] = seed
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.query_batch_in_params import QueryBatchInParams

        d = dict(src_dict)
        project_id = d.pop("project_id")

        budget = d.pop("budget")

        def _parse_strategy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        strategy = _parse_strategy(d.pop("strategy", UNSET))

        _params = d.pop("params", UNSET)
        params: QueryBatchInParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = QueryBatchInParams.from_dict(_params)

        def _parse_checkpoint_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        checkpoint_id = _parse_checkpoint_id(d.pop("checkpoint_id", UNSET))

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key", UNSET))

        seed = d.pop("seed", UNSET)

        def _parse_wait_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wait_seconds = _parse_wait_seconds(d.pop("wait_seconds", UNSET))

        query_batch_in = cls(
            project_id=project_id,
            budget=budget,
            strategy=strategy,
            params=params,
            checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
            seed=seed,
            wait_seconds=wait_seconds,
        )

        return query_batch_in
