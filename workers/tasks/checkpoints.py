"""labelq.checkpoints.validate: load uploaded weights safely, run a forward pass, mark the row."""

from __future__ import annotations

from typing import Any

import torch
from celery import shared_task
from pydantic import BaseModel
from sqlalchemy import select

from models import input_spec
from models.checkpoint import CheckpointError, load_network, state_from_bytes
from models.device import describe
from models.inference import predict
from service import queue
from service.db.engine import session_scope
from service.db.tables import Item
from service.domain import checkpoints, projects
from service.domain.items import visible_items
from service.errors import CheckpointRejected
from service.storage import get_store
from workers.data import gather, pool_blobs
from workers.models_io import check_network_size, save_weights
from workers.runtime import Progress, run_job

SAMPLE = 8


class ValidateCheckpoint(BaseModel):
    job_id: int
    checkpoint_id: int
    upload: str


def _sample_inputs(project_id: int, shape: list[int]) -> torch.Tensor:
    with session_scope() as s:
        rows = s.execute(
            select(Item.pool_id, Item.row).where(visible_items(project_id)).order_by(Item.id).limit(SAMPLE)
        ).all()
        blobs = pool_blobs(s, project_id)
    if rows:
        return gather(get_store(), blobs, rows)
    return torch.rand(2, *shape, generator=torch.Generator().manual_seed(0))


@shared_task(name=queue.VALIDATE_CHECKPOINT)
def validate_checkpoint(payload: dict[str, Any], **_: Any) -> None:
    p = ValidateCheckpoint.model_validate(payload)
    store = get_store()

    def work(progress: Progress) -> dict[str, Any]:
        with session_scope() as s:
            ckpt = checkpoints.get(s, p.checkpoint_id)
            project = projects.get(s, ckpt.project_id)
            arch, args, n_classes = ckpt.architecture, dict(ckpt.arch_args), len(project.classes)
            project_id, shape, spec = project.id, list(project.input_shape), dict(ckpt.input_spec or {})
        try:
            check_network_size(arch, args)
            model = load_network(arch, args, state_from_bytes(store.read_bytes(p.upload)))
            model = input_spec.apply(model, spec)
            out = predict(model, _sample_inputs(project_id, shape))
        except (CheckpointError, ValueError, TypeError, RuntimeError) as exc:
            raise CheckpointRejected(f"checkpoint refused: {exc}") from exc
        if out.logits.shape[1] != n_classes:
            raise CheckpointRejected(
                f"the network outputs {out.logits.shape[1]} classes, the project has {n_classes}"
            )
        if not torch.isfinite(out.logits).all():
            raise CheckpointRejected("the network's outputs on pool items are not finite")
        key, sha, size = save_weights(store, p.checkpoint_id, model)
        with session_scope() as s:
            checkpoints.mark_ready(s, p.checkpoint_id, blob=key, sha256=sha, size_bytes=size)
        store.delete(p.upload)
        return {"checkpoint_id": p.checkpoint_id, "sha256": sha, **describe(torch.device("cpu"))}

    run_job(p.job_id, work)  # refused: jobs.release rejects the checkpoint and drops the upload
