"""labelq.rounds.score: score the unlabeled target pool with the round's strategy and select."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from pydantic import BaseModel
from sqlalchemy import func, select

from models.acquisition import get_strategy
from service import queue
from service.db.engine import session_scope
from service.db.tables import Item
from service.domain import checkpoints, rounds
from service.domain.items import visible_items
from service.errors import EmptyPool
from service.settings import get_settings
from service.storage import get_store
from workers import shards
from workers.data import labeled_rows, pool_blobs
from workers.models_io import CheckpointRef
from workers.runtime import Progress, run_job
from workers.scoring import RoundInputs, build_context, round_shards

MAX_ATTEMPTS = 3  # re-select when a concurrent round reserved some picks meanwhile


class ScoreRound(BaseModel):
    job_id: int
    round_id: int


def _load(round_id: int) -> tuple[Any, CheckpointRef, CheckpointRef | None, RoundInputs]:
    """(strategy, params, budget, project id), the checkpoint and its parent (for COD), inputs."""
    with session_scope() as s:
        rnd = rounds.get(s, round_id)
        rounds.start_scoring(s, rnd)
        ckpt = checkpoints.get(s, rnd.checkpoint_id)
        parent = checkpoints.get(s, ckpt.parent_id) if ckpt.parent_id else None
        n_total = s.execute(
            select(func.count()).where(
                visible_items(rnd.project_id), Item.domain == "target", Item.split == "train"
            )
        ).scalar_one()
        inputs = RoundInputs(
            candidates=rounds.candidates(s, rnd.project_id, rnd.id),
            labeled=labeled_rows(s, rnd.project_id, domain="target", split="train")[1],
            blobs=pool_blobs(s, rnd.project_id),
            n_total=n_total,
            seed=rnd.seed,
        )
        spec = (rnd.strategy, dict(rnd.params), rnd.budget, rnd.project_id)
        parent_ref = CheckpointRef.of(parent) if parent is not None and parent.status == "ready" else None
        return spec, CheckpointRef.of(ckpt), parent_ref, inputs


@shared_task(name=queue.SCORE_ROUND)
def score_round(payload: dict[str, Any], **_: Any) -> None:
    p = ScoreRound.model_validate(payload)
    store = get_store()

    def work(progress: Progress) -> dict[str, Any]:
        (strategy, params, budget, project_id), ref, parent, inputs = _load(p.round_id)
        info = get_strategy(strategy)
        settings = get_settings()
        for _attempt in range(MAX_ATTEMPTS):
            if not inputs.candidates:
                raise EmptyPool("every unlabeled target item is labeled or reserved by another round")
            pending = round_shards(store, info, ref, parent, inputs, settings.scoring_shard_rows)
            if len(pending) > 1:  # more than one pass left: every worker takes part
                shards.run(store, progress, project_id, pending, settings.device)
            ctx = build_context(
                store, info, ref, parent, inputs, settings.device, progress, settings.scoring_shard_rows
            )
            sel = info.fn(ctx, budget, **params)
            picks = [
                rounds.Pick(
                    inputs.candidates[i][0],
                    float(sel.scores[r]),
                    {k: float(v[r]) for k, v in sel.components.items()},
                )
                for r, i in enumerate(sel.indices.tolist())
            ]
            with session_scope() as s:
                clashes = set(rounds.persist(s, rounds.get(s, p.round_id), picks, len(inputs.candidates)))
            if not clashes:
                return {"round_id": p.round_id, "selected": len(picks), "pool_size": len(inputs.candidates)}
            inputs.candidates = [c for c in inputs.candidates if c[0] not in clashes]
        raise RuntimeError("could not select without clashing with concurrent rounds")

    run_job(p.job_id, work)  # a failure fails the round too (jobs.release)


class ScoreShard(BaseModel):
    job_id: int
    checkpoint_id: int
    pool_id: int
    lo: int
    hi: int
    blob: str
    features: bool


@shared_task(name=queue.SCORE_SHARD)
def score_shard(payload: dict[str, Any], **_: Any) -> None:
    """labelq.rounds.shard: one shard of a round's forward pass (workers/shards.py)."""
    p = ScoreShard.model_validate(payload)
    shard = shards.Shard(**p.model_dump(exclude={"job_id"}))
    run_job(p.job_id, shards.job_work(get_store(), shard, get_settings().device))
