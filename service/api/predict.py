"""POST /checkpoints/{id}/predict: a checkpoint's predicted class and top-k class probabilities
for items (by id or external id) or a page of a pool, computed by a worker from the checkpoint's
cached forward pass (what a labeling tool pre-annotates with)."""

from __future__ import annotations

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from service import queue
from service.api import waiting
from service.api.deps import Caller
from service.api.schemas import ErrorOut, ItemPrediction, PredictIn, PredictOut
from service.api.strict import PathId, api_router
from service.api.views import job_out
from service.db.engine import session_scope
from service.domain import checkpoints, jobs, predictions
from service.domain.auth import Principal
from service.errors import Conflict

router = api_router("checkpoints")


@router.post(
    "/checkpoints/{checkpoint_id}/predict",
    status_code=202,
    response_model=PredictOut,
    responses={
        200: {"model": PredictOut, "description": "the predictions, within wait_seconds"},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut, "description": "the checkpoint is not ready"},
    },
)
async def predict(checkpoint_id: PathId, body: PredictIn, caller: Caller, response: Response) -> PredictOut:
    """Predicted class and the ``top_k`` most probable classes (softmax) of the checkpoint for
    ``item_ids``, ``external_ids`` or a page of ``pool_id`` (``offset``/``limit``, by row), in
    the order asked. A worker answers from the checkpoint's cached forward pass (computed once
    per pool). ``wait_seconds`` waits for it (200); otherwise 202 and poll ``GET /jobs/{id}``
    (its ``result.predictions``)."""
    job_id, total = await run_in_threadpool(start, checkpoint_id, body, caller)
    await waiting.wait_for_job(job_id, body.wait_seconds)
    return await run_in_threadpool(answer, job_id, total, response)


def start(checkpoint_id: int, body: PredictIn, caller: Principal) -> tuple[int, int]:
    """The predict job for what ``body`` names (checked for ``caller``): (job id, items in all)."""
    with session_scope() as s:
        ckpt = checkpoints.get(s, checkpoint_id)
        caller.check_project(ckpt.project_id)
        if ckpt.status != "ready":
            raise Conflict(f"checkpoint {checkpoint_id} is {ckpt.status}, not ready")
        item_ids, total = predictions.resolve(
            s,
            ckpt.project_id,
            item_ids=body.item_ids,
            external_ids=body.external_ids,
            pool_id=body.pool_id,
            offset=body.offset,
            limit=body.limit,
        )
        payload = {"checkpoint_id": checkpoint_id, "item_ids": item_ids, "top_k": body.top_k}
        job = jobs.create(s, kind="predict", task=queue.PREDICT, project_id=ckpt.project_id, payload=payload)
        return job.id, total


def answer(job_id: int, total: int, response: Response) -> PredictOut:
    """The job and, once it succeeded, its predictions; 200 when it ended, else 202."""
    with session_scope(readonly=True) as s:
        job = jobs.get(s, job_id)
        out = PredictOut(job=job_out(job), total=total)
        if job.status == "succeeded":
            got = (job.result or {}).get("predictions") or []
            out.predictions = [ItemPrediction.model_validate(p) for p in got]
    if out.job.status in jobs.TERMINAL:
        response.status_code = 200
    else:
        waiting.accepted(response)
    return out
