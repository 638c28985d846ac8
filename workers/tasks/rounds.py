"""labelq.rounds.score: score the unlabeled target pool with the round's strategy and select."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from celery import shared_task
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import func, select

from models.acquisition import get_strategy
from models.device import describe, pick_device
from models.predictions import predictions
from service import queue
from service.db.engine import session_scope
from service.db.tables import Item, Pool
from service.domain import adaptive as adaptive_rounds
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

TOP_K = 3  # class probabilities kept with each selected item
MAX_ATTEMPTS = 3  # re-select when a concurrent round reserved some picks meanwhile


class ScoreRound(BaseModel):
    job_id: int
    round_id: int


@dataclass
class Plan:
    """What a round is, read before its candidates: enough to start the forward passes."""

    strategy: str
    params: dict[str, Any]
    budget: int
    project_id: int
    seed: int
    ref: CheckpointRef
    parent: CheckpointRef | None  # the checkpoint it was trained from (COD), when ready
    blobs: dict[int, str]
    pools: set[int]  # the target train pools: where candidates and labeled target rows come from


def _plan(round_id: int) -> Plan:
    with session_scope() as s:
        rnd = rounds.get(s, round_id)
        rounds.start_scoring(s, rnd)
        ckpt = checkpoints.get(s, rnd.checkpoint_id)
        parent = checkpoints.get(s, ckpt.parent_id) if ckpt.parent_id else None
        pools = s.execute(
            select(Pool.id).where(
                Pool.project_id == rnd.project_id,
                Pool.domain == "target",
                Pool.split == "train",
                Pool.status == "ready",
            )
        ).scalars()
        return Plan(
            rnd.strategy,
            dict(rnd.params),
            rnd.budget,
            rnd.project_id,
            rnd.seed,
            CheckpointRef.of(ckpt),
            CheckpointRef.of(parent) if parent is not None and parent.status == "ready" else None,
            pool_blobs(s, rnd.project_id),
            set(pools),
        )


def _inputs(round_id: int, plan: Plan, adaptive: bool) -> RoundInputs:
    with session_scope(readonly=True) as s:
        number = rounds.get(s, round_id).number
        n_total = s.execute(
            select(func.count()).where(
                visible_items(plan.project_id), Item.domain == "target", Item.split == "train"
            )
        ).scalar_one()
        return RoundInputs(
            candidates=rounds.candidates(s, plan.project_id, round_id),
            labeled=labeled_rows(s, plan.project_id, domain="target", split="train")[1],
            blobs=plan.blobs,
            n_total=n_total,
            seed=plan.seed,
            bandit=adaptive_rounds.bandit_history(s, plan.project_id, number) if adaptive else None,
            bought=adaptive_rounds.bought(s, plan.project_id) if adaptive else [],
        )


@shared_task(name=queue.SCORE_ROUND)
def score_round(payload: dict[str, Any], **_: Any) -> None:
    p = ScoreRound.model_validate(payload)
    store = get_store()

    def work(progress: Progress) -> dict[str, Any]:
        plan = _plan(p.round_id)
        info = get_strategy(plan.strategy)
        passes = shards.Passes.of(get_settings())
        pending = round_shards(store, info, plan.ref, plan.parent, plan.blobs, plan.pools, passes)
        # more than one pass to make and other workers listening: shard jobs for all of them
        spread = len(pending) > 1 and shards.peers() > 1
        children = shards.start(progress, plan.project_id, pending) if spread else {}
        with ThreadPoolExecutor(1, thread_name_prefix="candidates") as loader:
            loading = loader.submit(
                _inputs, p.round_id, plan, info.adaptive
            )  # the candidates load during the passes
            scored = 0  # rows of the forward pass made here (the shard jobs count their own)
            if children:
                shards.finish(store, progress, children, passes.device)
            else:
                scored = shards.score_here(store, pending, passes.device, progress)
            inputs = loading.result()
        for _attempt in range(MAX_ATTEMPTS):
            if not inputs.candidates:
                raise EmptyPool("every unlabeled target item is labeled or reserved by another round")
            ctx = build_context(store, info, plan.ref, plan.parent, inputs, passes, progress)
            sel = info.select(ctx, plan.budget, plan.params)
            guesses = predictions(ctx.unlabeled.logits[sel.indices], k=TOP_K)
            picks = [
                rounds.Pick(
                    inputs.candidates[i][0],
                    float(sel.scores[r]),
                    {k: float(v[r]) for k, v in sel.components.items()},
                    guesses[r],
                )
                for r, i in enumerate(sel.indices.tolist())
            ]
            choice = _choice(sel.record, ctx.bandit) if info.adaptive else None
            with session_scope() as s:
                rnd = rounds.get(s, p.round_id)
                clashes = set(rounds.persist(s, rnd, picks, len(inputs.candidates), choice))
            if not clashes:
                done = {
                    "round_id": p.round_id,
                    "selected": len(picks),
                    "pool_size": len(inputs.candidates),
                    "units": scored,
                }
                return done | describe(pick_device(passes.device), passes.precision)
            inputs.candidates = [c for c in inputs.candidates if c[0] not in clashes]
        raise RuntimeError("could not select without clashing with concurrent rounds")

    run_job(p.job_id, work)  # a failure fails the round too (jobs.release)


def _choice(record: dict[str, Any], history: Any) -> dict[str, Any]:
    """What the round keeps of an adaptive strategy's decision: its record, and the history it
    was given (the next round continues from it)."""
    return {**record, "history": [asdict(step) for step in history or []]}


SHARD = TypeAdapter(shards.Shard)  # the payload is the shard's fields (validated), plus job_id


@shared_task(name=queue.SCORE_SHARD)
def score_shard(payload: dict[str, Any], **_: Any) -> None:
    """labelq.rounds.shard: one shard of a round's forward pass (workers/shards.py)."""
    fields = dict(payload)
    job_id = int(fields.pop("job_id"))
    run_job(job_id, shards.job_work(get_store(), SHARD.validate_python(fields), get_settings().device))
