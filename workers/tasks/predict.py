"""labelq.checkpoints.predict: a checkpoint's predictions for named items, from its cached
forward pass (workers/scoring.OutputSource computes a pool's logits once, then reads them)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from pydantic import BaseModel

from models.device import describe, pick_device
from models.predictions import predictions
from service import queue
from service.db.engine import session_scope
from service.domain import checkpoints
from service.domain import predictions as asked
from service.settings import get_settings
from service.storage import get_store
from workers.data import pool_blobs
from workers.models_io import CheckpointRef
from workers.runtime import Progress, rate_progress, run_job
from workers.scoring import OutputSource
from workers.shards import Passes


class Predict(BaseModel):
    job_id: int
    checkpoint_id: int
    item_ids: list[int]
    top_k: int = 3


@shared_task(name=queue.PREDICT)
def predict(payload: dict[str, Any], **_: Any) -> None:
    p = Predict.model_validate(payload)
    store = get_store()

    def work(progress: Progress) -> dict[str, Any]:
        with session_scope(readonly=True) as s:  # the rows, in a short transaction
            ckpt = checkpoints.get(s, p.checkpoint_id)
            ref = CheckpointRef.of(ckpt)
            items = asked.rows(s, p.item_ids)
            blobs = pool_blobs(s, ckpt.project_id)
        passes = Passes.of(get_settings())
        device = pick_device(passes.device)
        source = OutputSource(
            store, ref, blobs, device, rate_progress(progress, 0.95), features=False, passes=passes
        )
        logits = source.rows([(pool, row) for _, _, pool, row in items]).logits
        answers = predictions(logits, k=p.top_k) if items else []
        out = [
            {"item_id": item_id, "external_id": external_id, **answer}
            for (item_id, external_id, _, _), answer in zip(items, answers, strict=True)
        ]
        return {
            "checkpoint_id": p.checkpoint_id,
            "predictions": out,
            "units": len(out),
            **describe(device, passes.precision),
        }

    run_job(p.job_id, work)
