"""Sharded forward passes: a round's pool passes split into shard jobs that every worker scores.

A shard is rows ``lo:hi`` of one pool under one checkpoint; its outputs are cached as their own blob
(``collect.outputs_key``), so a second strategy on the same checkpoint recomputes nothing. A round
whose passes need more than one shard not cached yet creates one child job per shard
(``jobs.parent_id``); the broker hands them to every listening worker, and the round's own worker
scores shards too while it waits (it claims what is still queued, or what a lost worker held), so a
lone worker finishes alone. A failed shard fails the round with its error; a lost one is claimed
again under the lease rules (service/domain/jobs.py). Selection then runs on the round's worker over
the gathered shard outputs: the same tensors a one-worker pass makes (shards are whole batches), so
the same picks, for top-k and diversity strategies alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from models.device import describe, pick_device
from models.inference import BATCH_SIZE
from service import queue
from service.db.engine import session_scope
from service.db.metadata import utcnow
from service.db.tables import Job
from service.domain import checkpoints, jobs
from service.domain.collect import outputs_key
from service.errors import from_code
from service.settings import Settings
from service.storage import BlobStore
from service.sweeper import worker_silence_s, workers_seen
from workers.data import MappedRows, pool_array
from workers.models_io import CheckpointRef, cached_outputs, is_cached, load
from workers.runtime import Progress, rate_progress, run_job

POLL_S = 0.2


def shard_ranges(n: int, shard_rows: int, batch: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """``[lo, hi)`` ranges covering ``n`` rows, each a whole number of forward batches (so a
    sharded pass computes exactly the batches of a whole one); the last one may be short."""
    size = max(batch, shard_rows // batch * batch)
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)] or [(0, 0)]


@dataclass(frozen=True)
class Passes:
    """How this worker runs forward passes for scoring (its settings)."""

    device: str = "auto"
    shard_rows: int = 50_000
    precision: str = "float32"

    @classmethod
    def of(cls, settings: Settings) -> Passes:
        return cls(settings.device, settings.scoring_shard_rows, settings.scoring_precision)


@dataclass(frozen=True)
class Shard:
    checkpoint_id: int
    pool_id: int
    lo: int
    hi: int
    blob: str  # the pool's array
    features: bool  # also the features (else logits alone)
    precision: str = "float32"


def missing(
    store: BlobStore,
    ref: CheckpointRef,
    blobs: dict[int, str],
    pool_ids: set[int],
    passes: Passes,
    features: bool,
) -> list[Shard]:
    """The shards of ``ref``'s passes over ``pool_ids`` that no cached blob serves yet."""
    out = []
    for pid in sorted(pool_ids):
        n = len(pool_array(store, blobs[pid]))
        for lo, hi in shard_ranges(n, passes.shard_rows):
            if not is_cached(store, outputs_key(ref.id, pid, lo, hi, passes.precision), features):
                out.append(Shard(ref.id, pid, lo, hi, blobs[pid], features, passes.precision))
    return out


def compute(
    store: BlobStore,
    shard: Shard,
    device: Any,
    progress: Callable[[int, int], None] | None = None,
    models: dict[int, Any] | None = None,
) -> None:
    """Score one shard here and cache its outputs; ``models``: networks already loaded, by
    checkpoint id (filled as they load)."""
    models = {} if models is None else models
    with session_scope(readonly=True) as s:
        ref = CheckpointRef.of(checkpoints.get(s, shard.checkpoint_id))

    def model() -> Any:
        if ref.id not in models:
            models[ref.id] = load(store, ref, device)
        return models[ref.id]

    cached_outputs(
        store,
        ref,
        shard.pool_id,
        lambda: MappedRows.pool(store, shard.pool_id, shard.blob),
        model,
        progress,
        features=shard.features,
        rows=(shard.lo, shard.hi),
        precision=shard.precision,
    )


def job_work(store: BlobStore, shard: Shard, device_name: str) -> Callable[[Progress], dict[str, Any]]:
    """What a shard job runs: score the shard on this worker and cache its outputs."""

    def work(progress: Progress) -> dict[str, Any]:
        device = pick_device(device_name)
        compute(store, shard, device, rate_progress(progress, 1.0))
        rows = shard.hi - shard.lo
        return {"rows": rows, "units": rows, **describe(device, shard.precision)}

    return work


def score_here(
    store: BlobStore, shards: list[Shard], device_name: str, progress: Progress, share: float = 0.8
) -> int:
    """Score ``shards`` on this worker alone (no other worker listens), the round's progress
    running to ``share`` with them. Returns the rows scored."""
    device = pick_device(device_name)
    report = rate_progress(progress, share)
    total, done, models = sum(s.hi - s.lo for s in shards), 0, {}
    for shard in shards:
        compute(store, shard, device, lambda d, _n, done=done: report(done + d, total), models)
        done += shard.hi - shard.lo
    return total


def peers() -> int:
    """How many live workers (this one included) consume the scoring queue."""
    gpu = queue.queue_name(queue.GPU)
    return sum(1 for w in workers_seen(worker_silence_s()) if gpu in (w.queues or []))


def start(progress: Progress, project_id: int, shards: list[Shard]) -> dict[int, Shard]:
    """The shard jobs of this round, by id: those a previous attempt left queued, running or done
    are kept; the others are created (sent when this commits), fenced by this attempt's lease."""
    with session_scope() as s:
        progress.fence(s)
        live = s.execute(
            select(Job.id, Job.payload).where(
                Job.parent_id == progress.job_id, Job.status.in_(("queued", "running", "succeeded"))
            )
        ).all()
        kept = {Shard(**payload): job_id for job_id, payload in live}  # payload = asdict(shard)
        out = {}
        for shard in shards:
            job_id = kept.get(shard)
            if job_id is None:
                job_id = jobs.create(
                    s,
                    kind=queue.KINDS[queue.SCORE_SHARD],
                    task=queue.SCORE_SHARD,
                    project_id=project_id,
                    payload=asdict(shard),
                    parent_id=progress.job_id,
                ).id
            out[job_id] = shard
        return out


def finish(
    store: BlobStore,
    progress: Progress,
    children: dict[int, Shard],
    device_name: str,
    share: float = 0.8,
) -> None:
    """Take part in the shard jobs ``start`` made until every one succeeded (raise the error of
    one that failed); the round's progress runs to ``share`` with them."""
    while True:
        with session_scope(readonly=True) as s:
            rows = s.execute(
                select(Job.id, Job.status, Job.progress, Job.error, Job.error_code, Job.lease_until).where(
                    Job.id.in_(list(children))
                )
            ).all()
        ended = [r for r in rows if r.status in ("failed", "cancelled")]
        if ended:
            r = ended[0]
            raise from_code(r.error_code, f"shard job {r.id}: {r.error}", job_id=r.id)
        done = [r for r in rows if r.status == "succeeded"]
        fraction = sum(1.0 if r.status == "succeeded" else r.progress or 0.0 for r in rows) / len(rows)
        progress(share * fraction, message=f"forward pass: {len(done)}/{len(rows)} shards scored")
        if len(done) == len(rows):
            return
        now = utcnow()
        free = [r.id for r in rows if r.status == "queued" or (r.status == "running" and _lapsed(r, now))]
        if free:  # take part: a worker that claims first runs it, the other delivery is a no-op
            run_job(free[0], job_work(store, children[free[0]], device_name))
        else:
            time.sleep(POLL_S)


def _lapsed(row: Any, now: Any) -> bool:
    return row.lease_until is None or row.lease_until < now
