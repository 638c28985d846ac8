"""Storage that nothing will read again is collected: cached forward-pass outputs of checkpoints
that are no longer among a project's latest ``keep`` ready versions, and uploads older than
``upload_age_s`` that no queued or running job points to (left by a crash between receiving and
registering them, or by a worker killed mid-import), and chunked uploads left unfinished that
long. Run by the sweep (service/sweeper.py)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.db.metadata import utcnow
from service.db.tables import Checkpoint, ChunkedUpload, Job
from service.domain.pools.chunked import folder as chunked_folder
from service.storage import BlobStore

OUTPUTS = "outputs"
UPLOADS = "uploads"
_CHECKPOINT_DIR = re.compile(r"checkpoint-(\d+)$")


def outputs_key(checkpoint_id: int, pool_id: int, lo: int, hi: int, precision: str = "float32") -> str:
    """Where a worker caches a checkpoint's forward pass over rows ``lo:hi`` of a pool (a shard),
    made in ``precision`` (passes under autocast are kept apart from float32 ones)."""
    tail = "" if precision == "float32" else f"-{precision}"
    return f"{OUTPUTS}/checkpoint-{checkpoint_id}/pool-{pool_id}-rows-{lo}-{hi}{tail}.safetensors"


def stopset_key(checkpoint_id: int) -> str:
    """A checkpoint's predictions on its project's stop set (workers/label_free.py)."""
    return f"{OUTPUTS}/checkpoint-{checkpoint_id}/stopset.npz"


@dataclass(frozen=True)
class Collected:
    output_dirs: list[str]
    uploads: list[str]


def _kept_checkpoints(session: Session, keep: int) -> set[int]:
    rows = session.execute(
        select(Checkpoint.id, Checkpoint.project_id)
        .where(Checkpoint.status == "ready")
        .order_by(Checkpoint.project_id, Checkpoint.version.desc())
    ).all()
    kept: set[int] = set()
    per_project: dict[int, int] = {}
    for ckpt_id, project_id in rows:
        if per_project.get(project_id, 0) < keep:
            kept.add(ckpt_id)
            per_project[project_id] = per_project.get(project_id, 0) + 1
    return kept


def _uploads_in_use(session: Session) -> set[str]:
    """Uploads a queued or running job points to, and chunked uploads still being sent (their
    folders)."""
    payloads = session.execute(select(Job.payload).where(Job.status.in_(("queued", "running")))).scalars()
    used = {p["upload"] for p in payloads if isinstance(p, dict) and isinstance(p.get("upload"), str)}
    sending = session.execute(select(ChunkedUpload.id).where(ChunkedUpload.job_id.is_(None))).scalars()
    return used | {chunked_folder(upload_id) for upload_id in sending}


def collect(session: Session, store: BlobStore, *, keep: int, upload_age_s: float) -> Collected:
    kept = _kept_checkpoints(session, keep)
    # chunked uploads untouched that long are forgotten: their parts are collected below
    session.execute(
        delete(ChunkedUpload).where(ChunkedUpload.updated_at < utcnow() - timedelta(seconds=upload_age_s))
    )
    in_use = _uploads_in_use(session)
    dropped_outputs: list[str] = []
    folders = sorted({key.split("/")[1] for key, _ in store.listing(OUTPUTS) if key.count("/") >= 2})
    for folder in folders:
        match = _CHECKPOINT_DIR.match(folder)
        if match and int(match.group(1)) not in kept:
            key = f"{OUTPUTS}/{folder}"
            store.delete(key)
            dropped_outputs.append(key)
    dropped_uploads: list[str] = []
    cutoff = time.time() - upload_age_s
    for key, modified in store.listing(UPLOADS):
        if modified < cutoff and not (key in in_use or key.rsplit("/", 1)[0] in in_use):
            store.delete(key)
            dropped_uploads.append(key)
    return Collected(dropped_outputs, dropped_uploads)
