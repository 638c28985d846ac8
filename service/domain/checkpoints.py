"""Checkpoints: versioned model weights per project, with their lineage, hash and status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.tables import Checkpoint
from service.domain.locking import lock_project
from service.errors import BadInput, Conflict, NotFound

STATUSES = ("validating", "ready", "rejected")


def next_version(session: Session, project_id: int) -> int:
    """The next version number; the caller holds the project lock (``create`` takes it)."""
    current = session.execute(
        select(func.max(Checkpoint.version)).where(Checkpoint.project_id == project_id)
    ).scalar_one()
    return int(current or 0) + 1


def create(
    session: Session,
    *,
    project_id: int,
    architecture: str,
    arch_args: dict[str, Any],
    input_spec: dict[str, Any],
    origin: str,
    parent_id: int | None = None,
    status: str = "validating",
    **fields: Any,
) -> Checkpoint:
    ckpt = Checkpoint(
        project_id=project_id,
        version=None,  # a version is given when the checkpoint is ready (mark_ready)
        architecture=architecture,
        arch_args=arch_args,
        input_spec=input_spec,
        origin=origin,
        parent_id=parent_id,
        status=status,
        **fields,
    )
    session.add(ckpt)
    session.flush()
    return ckpt


def blob_key(checkpoint_id: int) -> str:
    return f"checkpoints/{checkpoint_id}/weights.safetensors"


def upload_key(checkpoint_id: int) -> str:
    return f"uploads/checkpoint-{checkpoint_id}"


def mark_ready(
    session: Session, checkpoint_id: int, *, blob: str, sha256: str, size_bytes: int
) -> Checkpoint:
    """The weights are stored: the checkpoint is ready and gets the project's next version, under
    the project lock (max+1 must serialize); a refused checkpoint never takes a version."""
    ckpt = get(session, checkpoint_id)
    lock_project(session, ckpt.project_id)
    ckpt.blob, ckpt.sha256, ckpt.size_bytes, ckpt.status = blob, sha256, size_bytes, "ready"
    ckpt.version = next_version(session, ckpt.project_id)
    session.flush()
    return ckpt


def get(session: Session, checkpoint_id: int, project_id: int | None = None) -> Checkpoint:
    ckpt = session.get(Checkpoint, checkpoint_id)
    if ckpt is None or (project_id is not None and ckpt.project_id != project_id):
        raise NotFound(f"checkpoint {checkpoint_id} not found")
    return ckpt


def list_for(
    session: Session, project_id: int, *, limit: int | None = None, offset: int = 0
) -> list[Checkpoint]:
    query = (
        select(Checkpoint)
        .where(Checkpoint.project_id == project_id)
        .order_by(Checkpoint.version.is_(None), Checkpoint.version, Checkpoint.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.execute(query).scalars())


def latest_ready(session: Session, project_id: int) -> Checkpoint | None:
    return session.execute(
        select(Checkpoint)
        .where(Checkpoint.project_id == project_id, Checkpoint.status == "ready")
        .order_by(Checkpoint.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def resolve_ready(session: Session, project_id: int, checkpoint_id: int | None) -> Checkpoint:
    """The checkpoint a round or training starts from: the given one, else the latest ready."""
    if checkpoint_id is None:
        ckpt = latest_ready(session, project_id)
        if ckpt is None:
            raise Conflict("the project has no ready checkpoint: upload one or train a source model first")
        return ckpt
    ckpt = get(session, checkpoint_id, project_id)
    if ckpt.status != "ready":
        raise Conflict(f"checkpoint {checkpoint_id} is {ckpt.status}, not ready")
    return ckpt


def check_architecture_args(arch_args: Any) -> dict[str, Any]:
    if not isinstance(arch_args, dict):
        raise BadInput("arch_args must be a JSON object")
    return arch_args
