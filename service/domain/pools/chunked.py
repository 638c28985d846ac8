"""Pool files sent in parts, for files larger than one request (a 1e6 x 512 float32 pool is 2 GB):
start with the name and size, send parts at the offset received so far (a part at another
offset is a 409 that says where to resume), complete into a pool and its import job. Parts are
blobs under ``uploads/chunked-<id>/``; the importing worker assembles them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.metadata import utcnow
from service.db.tables import ChunkedUpload, Project
from service.domain.pools import imports, uris
from service.errors import BadInput, Conflict, NotFound, PayloadTooLarge


def folder(upload_id: str) -> str:
    return f"uploads/chunked-{upload_id}"


def part_key(upload_id: str, offset: int) -> str:
    """A fresh blob key for a part starting at ``offset`` (two racing senders never share one)."""
    return f"{folder(upload_id)}/{offset:015d}-{uuid.uuid4().hex[:8]}"


def start(session: Session, project: Project, *, filename: str, size: int, max_bytes: int) -> ChunkedUpload:
    uris.check_suffix(filename)
    if size > max_bytes:
        raise PayloadTooLarge(f"a pool file may have at most {max_bytes} bytes (LABELQ_MAX_POOL_BYTES)")
    row = ChunkedUpload(id=uuid.uuid4().hex, project_id=project.id, filename=filename, size=size, parts=[])
    session.add(row)
    session.flush()
    return row


def get(session: Session, upload_id: str, *, lock: bool = False) -> ChunkedUpload:
    query = select(ChunkedUpload).where(ChunkedUpload.id == upload_id)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"upload {upload_id} not found")
    return row


def append(session: Session, upload_id: str, *, offset: int, key: str, size: int) -> ChunkedUpload:
    """Record the part stored at ``key`` if it starts where the upload stands (row locked)."""
    row = get(session, upload_id, lock=True)
    if row.job_id is not None:
        raise Conflict("the upload is complete: start another one")
    if offset != row.received:
        raise Conflict(
            f"this part starts at byte {offset}, the upload stands at {row.received}: resume from there",
            offset=row.received,
        )
    if row.received + size > row.size:
        raise BadInput(f"the part ends at byte {row.received + size}, past the declared size {row.size}")
    row.parts = [*row.parts, key]
    row.received += size
    row.updated_at = utcnow()
    return row


def complete(
    session: Session, upload_id: str, project: Project, *, domain: str, split: str, hidden_labels: bool
) -> tuple[int, int]:
    """The pool and its import job, made once: completing again answers the same ones."""
    row = get(session, upload_id, lock=True)
    if row.job_id is not None:
        return row.pool_id or 0, row.job_id
    if row.received != row.size:
        raise Conflict(
            f"received {row.received} of {row.size} bytes: send the rest first", offset=row.received
        )
    pool, job = imports.register(
        session,
        project,
        domain=domain,
        split=split,
        filename=row.filename,
        upload=folder(row.id),
        parts=list(row.parts),
        hidden_labels=hidden_labels,
    )
    row.pool_id, row.job_id, row.updated_at = pool.id, job.id, utcnow()
    return pool.id, job.id


def abort(session: Session, upload_id: str) -> ChunkedUpload:
    """Forget an upload that is not complete; its parts are deleted after the commit."""
    row = get(session, upload_id, lock=True)
    if row.job_id is not None:
        raise Conflict("the upload is complete: delete the pool instead")
    session.delete(row)
    session.info.setdefault("labelq_delete_blobs", []).append(folder(upload_id))
    return row
