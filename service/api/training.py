"""POST /projects/{id}/train: retrain with an objective -> job -> new checkpoint version."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from service import catalog, queue
from service.api import waiting
from service.api.deps import Caller
from service.api.schemas import ErrorOut, JobOut, TrainIn, TrainOut
from service.api.strict import PathId, api_router
from service.api.views import job_out
from service.catalog import validate_params
from service.db.engine import session_scope
from service.db.tables import Item
from service.domain import checkpoints, jobs, projects
from service.domain.items import visible_items
from service.errors import Conflict, Invalid

router = api_router("training")


@router.post(
    "/projects/{project_id}/train",
    status_code=202,
    response_model=TrainOut,
    responses={
        200: {"model": TrainOut, "description": "finished within wait_seconds"},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
    },
)
async def train_project(project_id: PathId, body: TrainIn, caller: Caller, response: Response) -> TrainOut:
    """Train from ``checkpoint_id``, else the latest ready checkpoint, else (or with
    ``from_scratch``) a new ``architecture`` network, on labeled source + labeled target items. The job's
    result names the new checkpoint and its metrics on the target eval split. ``wait_seconds``
    (capped by the server) waits for the job (200); otherwise 202 with ``Retry-After``."""
    caller.check_project(project_id)
    job_id = await run_in_threadpool(start, project_id, body)
    await waiting.wait_for_job(job_id, body.wait_seconds)
    out = await run_in_threadpool(_job, job_id)
    if out.status in jobs.TERMINAL:
        response.status_code = 200
    else:
        waiting.accepted(response)
    return TrainOut(job=out)


def _job(job_id: int) -> JobOut:
    with session_scope(readonly=True) as s:
        return job_out(jobs.get(s, job_id))


def start(project_id: int, body: TrainIn) -> int:
    """The training job ``body`` asks for (checked): its id."""
    with session_scope() as s:
        project = projects.get(s, project_id)
        objective = body.objective or project.default_objective
        known = catalog.load(s)
        params = validate_params(known.get("objective", objective), body.params)
        if body.architecture is not None:
            try:
                known.check_architecture(body.architecture)
            except ValueError as exc:
                raise Invalid(str(exc)) from None
        start = None
        if body.checkpoint_id is not None:
            start = checkpoints.resolve_ready(s, project_id, body.checkpoint_id)
        elif not body.from_scratch:
            start = checkpoints.latest_ready(s, project_id)
        if start is None and body.architecture is None:
            raise Conflict("the project has no ready checkpoint: give 'architecture' to train from scratch")
        if start is not None and body.architecture not in (None, start.architecture):
            have, want = start.architecture, body.architecture
            raise Conflict(
                f"training starts from checkpoint {start.id}, a {have}: send from_scratch=true to train a "
                f"new {want}, or leave architecture out to fine-tune the {have}"
            )
        labeled = s.execute(
            select(func.count()).where(
                visible_items(project_id), Item.split == "train", Item.label.is_not(None)
            )
        ).scalar_one()
        if labeled == 0:
            raise Conflict("nothing to train on: upload a labeled source pool or label target items first")
        payload = {
            "objective": objective,
            "params": params,
            "checkpoint_id": start.id if start else None,
            "architecture": body.architecture,
            "arch_args": body.arch_args,
            "config": {
                k: getattr(body, k)
                for k in ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "seed")
            },
        }
        return jobs.create(s, kind="train", task=queue.TRAIN, project_id=project_id, payload=payload).id
