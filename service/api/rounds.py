"""Rounds: POST /query-batch starts one; GET /rounds/{id} shows its selection."""

from __future__ import annotations

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from service import catalog
from service.api import waiting
from service.api.deps import Caller, Db, ReadDb
from service.api.paging import AfterRank, SelectionsLimit
from service.api.schemas import ErrorOut, QueryBatchIn, RoundOut
from service.api.strict import PathId, api_router
from service.api.views import DEFAULT_SELECTIONS, round_out
from service.catalog import validate_params
from service.db.engine import session_scope
from service.domain import projects, rounds

router = api_router("rounds")
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
async def query_batch(body: QueryBatchIn, caller: Caller, response: Response) -> RoundOut:
    """Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and what open rounds
    reserved) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round (200). ``wait_seconds`` (capped by the server) waits until the round is ready (201);
    still scoring, or the broker down, answers 202 with ``Retry-After``: poll ``GET /rounds/{id}``."""
    caller.check_project(body.project_id)
    round_id, job_id, created = await run_in_threadpool(_start_round, body)
    await waiting.wait_for_job(job_id, body.wait_seconds)
    out = await run_in_threadpool(_round, round_id)
    if not created:
        response.status_code = 200
    elif out.status in ("pending", "scoring"):
        waiting.accepted(response)
    return out


def _start_round(body: QueryBatchIn) -> tuple[int, int | None, bool]:
    with session_scope() as s:
        project = projects.get(s, body.project_id)
        strategy = body.strategy or project.default_strategy
        rnd, created = rounds.request(
            s,
            body.project_id,
            budget=body.budget,
            strategy=strategy,
            params=validate_params(catalog.load(s).get("strategy", strategy), body.params),
            checkpoint_id=body.checkpoint_id,
            idempotency_key=body.idempotency_key,
            seed=body.seed,
        )
        return rnd.id, rnd.job_id, created


def _round(round_id: int) -> RoundOut:
    with session_scope(readonly=True) as s:
        return round_out(s, rounds.get(s, round_id))


@router.get("/rounds/{round_id}", response_model=RoundOut, responses=ERRORS)
def get_round(
    round_id: PathId,
    db: ReadDb,
    caller: Caller,
    selections_limit: SelectionsLimit = DEFAULT_SELECTIONS,
    after_rank: AfterRank = None,
) -> RoundOut:
    """Status and a page of the selected items ``[{item_id, external_id, rank, score,
    components}]``, best first: the next page starts ``after_rank`` the last rank received."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rnd, limit=selections_limit, after_rank=after_rank)


@router.post("/rounds/{round_id}/cancel", response_model=RoundOut, responses=ERRORS)
def cancel_round(round_id: PathId, db: Db, caller: Caller) -> RoundOut:
    """Cancel an open round; its unlabeled items are no longer reserved."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rounds.cancel(db, rnd))


@router.post("/rounds/{round_id}/close", response_model=RoundOut, responses=ERRORS)
def close_round(round_id: PathId, db: Db, caller: Caller) -> RoundOut:
    """Close a ready round before all its items are labeled, releasing the rest."""
    rnd = rounds.get(db, round_id)
    caller.check_project(rnd.project_id)
    return round_out(db, rounds.close(db, rnd))
