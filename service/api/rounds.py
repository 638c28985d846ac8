"""Rounds: POST /query-batch starts one; GET /rounds/{id} shows its selection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from service.api.deps import Caller, Db
from service.api.schemas import ErrorOut, QueryBatchIn, RoundOut
from service.api.views import round_out
from service.catalog import STRATEGIES
from service.db.engine import session_scope
from service.domain import jobs, projects, rounds
from service.errors import BadInput
from service.settings import get_settings

router = APIRouter(tags=["rounds"])
ERRORS = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 400: {"model": ErrorOut}}


@router.post(
    "/query-batch",
    status_code=201,
    response_model=RoundOut,
    responses={
        200: {"model": RoundOut, "description": "idempotent replay"},
        202: {"model": RoundOut, "description": "still scoring"},
        **ERRORS,
    },
)
def query_batch(body: QueryBatchIn, caller: Caller, response: Response) -> RoundOut:
    """Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and open
    reservations) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round. ``wait_seconds`` blocks until the round is ready (201) or answers 202 to poll."""
    caller.check_project(body.project_id)
    with session_scope() as s:
        project = projects.get(s, body.project_id)
        strategy = body.strategy or project.default_strategy
        params = body.params if body.strategy else _validate(strategy, body.params)
        rnd, created = rounds.request(
            s,
            body.project_id,
            budget=body.budget,
            strategy=strategy,
            params=params,
            checkpoint_id=body.checkpoint_id,
            idempotency_key=body.idempotency_key,
            seed=body.seed,
        )
        round_id, job_id = rnd.id, rnd.job_id
    wait = get_settings().default_wait_seconds if body.wait_seconds is None else body.wait_seconds
    if job_id is not None:
        jobs.wait(job_id, wait)
    with session_scope() as s:
        rnd = rounds.get(s, round_id)
        response.status_code = 200 if not created else (202 if rnd.status in ("pending", "scoring") else 201)
        return round_out(s, rnd)


def _validate(strategy: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return STRATEGIES[strategy].validate(params)
    except Exception as exc:
        raise BadInput(f"bad parameters for {strategy}: {exc}") from exc


@router.get("/rounds/{round_id}", response_model=RoundOut, responses=ERRORS)
def get_round(round_id: int, db: Db, caller: Caller) -> RoundOut:
    """Status and selected items ``[{item_id, external_id, rank, score, components}]``."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rnd)


@router.post("/rounds/{round_id}/cancel", response_model=RoundOut, responses=ERRORS)
def cancel_round(round_id: int, db: Db, caller: Caller) -> RoundOut:
    """Cancel an open round; its unlabeled items are no longer reserved."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rounds.cancel(db, rnd))


@router.post("/rounds/{round_id}/close", response_model=RoundOut, responses=ERRORS)
def close_round(round_id: int, db: Db, caller: Caller) -> RoundOut:
    """Close a ready round before all its items are labeled, releasing the rest."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rounds.close(db, rnd))
