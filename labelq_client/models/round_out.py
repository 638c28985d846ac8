from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.round_out_status import RoundOutStatus, check_round_out_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.round_out_choice_type_0 import RoundOutChoiceType0
    from ..models.round_out_params import RoundOutParams
    from ..models.selection_out import SelectionOut


T = TypeVar("T", bound="RoundOut")


@_attrs_define
class RoundOut:
    """
    Attributes:
        id (int):
        project_id (int):
        number (int):
        status (RoundOutStatus):
        strategy (str):
        params (RoundOutParams):
        budget (int):
        seed (int):
        checkpoint_id (int):
        checkpoint_sha256 (None | str):
        idempotency_key (None | str):
        pool_size (int | None):
        error (None | str):
        job_id (int | None):
        created_at (datetime.datetime):
        closed_at (datetime.datetime | None):
        choice (None | RoundOutChoiceType0 | Unset): strategy 'auto': the arm (strategy) it drew, its probability, every
            arm's probability, why, and the bandit's history (arm, probability, reward) it was given
        n_selections (int | Unset): items the round selected (selections is a page of them) Default: 0.
        selections (list[SelectionOut] | Unset):
    """

    id: int
    project_id: int
    number: int
    status: RoundOutStatus
    strategy: str
    params: RoundOutParams
    budget: int
    seed: int
    checkpoint_id: int
    checkpoint_sha256: None | str
    idempotency_key: None | str
    pool_size: int | None
    error: None | str
    job_id: int | None
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    choice: None | RoundOutChoiceType0 | Unset = UNSET
    n_selections: int | Unset = 0
    selections: list[SelectionOut] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.round_out_choice_type_0 import RoundOutChoiceType0

        id = self.id

        project_id = self.project_id

        number = self.number

        status: str = self.status

        strategy = self.strategy

        params = self.params.to_dict()

        budget = self.budget

        seed = self.seed

        checkpoint_id = self.checkpoint_id

        checkpoint_sha256: None | str
        checkpoint_sha256 = self.checkpoint_sha256

        idempotency_key: None | str
        idempotency_key = self.idempotency_key

        pool_size: int | None
        pool_size = self.pool_size

        error: None | str
        error = self.error

        job_id: int | None
        job_id = self.job_id

        created_at = self.created_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        choice: dict[str, Any] | None | Unset
        if isinstance(self.choice, Unset):
            choice = UNSET
        elif isinstance(self.choice, RoundOutChoiceType0):
            choice = self.choice.to_dict()
        else:
            choice = self.choice

        n_selections = self.n_selections

        selections: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.selections, Unset):
            selections = []
            for selections_item_data in self.selections:
                selections_item = selections_item_data.to_dict()
                selections.append(selections_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "project_id": project_id,
                "number": number,
                "status": status,
                "strategy": strategy,
                "params": params,
                "budget": budget,
                "seed": seed,
                "checkpoint_id": checkpoint_id,
                "checkpoint_sha256": checkpoint_sha256,
                "idempotency_key": idempotency_key,
                "pool_size": pool_size,
                "error": error,
                "job_id": job_id,
                "created_at": created_at,
                "closed_at": closed_at,
            }
        )
        if choice is not UNSET:
            field_dict["choice"] = choice
        if n_selections is not UNSET:
            field_dict["n_selections"] = n_selections
        if selections is not UNSET:
            field_dict["selections"] = selections

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.round_out_choice_type_0 import RoundOutChoiceType0
        from ..models.round_out_params import RoundOutParams
        from ..models.selection_out import SelectionOut

        d = dict(src_dict)
        id = d.pop("id")

        project_id = d.pop("project_id")

        number = d.pop("number")

        status = check_round_out_status(d.pop("status"))

        strategy = d.pop("strategy")

        params = RoundOutParams.from_dict(d.pop("params"))

        budget = d.pop("budget")

        seed = d.pop("seed")

        checkpoint_id = d.pop("checkpoint_id")

        def _parse_checkpoint_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        checkpoint_sha256 = _parse_checkpoint_sha256(d.pop("checkpoint_sha256"))

        def _parse_idempotency_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key"))

        def _parse_pool_size(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        pool_size = _parse_pool_size(d.pop("pool_size"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_job_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        job_id = _parse_job_id(d.pop("job_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        def _parse_choice(data: object) -> None | RoundOutChoiceType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                choice_type_0 = RoundOutChoiceType0.from_dict(data)

                return choice_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RoundOutChoiceType0 | Unset, data)

        choice = _parse_choice(d.pop("choice", UNSET))

        n_selections = d.pop("n_selections", UNSET)

        _selections = d.pop("selections", UNSET)
        selections: list[SelectionOut] | Unset = UNSET
        if _selections is not UNSET:
            selections = []
            for selections_item_data in _selections:
                selections_item = SelectionOut.from_dict(selections_item_data)

                selections.append(selections_item)

        round_out = cls(
            id=id,
            project_id=project_id,
            number=number,
            status=status,
            strategy=strategy,
            params=params,
            budget=budget,
            seed=seed,
            checkpoint_id=checkpoint_id,
            checkpoint_sha256=checkpoint_sha256,
            idempotency_key=idempotency_key,
            pool_size=pool_size,
            error=error,
            job_id=job_id,
            created_at=created_at,
            closed_at=closed_at,
            choice=choice,
            n_selections=n_selections,
            selections=selections,
        )

        round_out.additional_properties = d
        return round_out

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
