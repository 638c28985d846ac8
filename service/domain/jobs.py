"""Jobs: a row per unit of background work, its status and progress, and its enqueue.

A job is sent to the broker only after the transaction that created it commits (the worker
would otherwise look for a row it cannot see yet); a rolled back transaction sends nothing.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from service import queue
from service.db.metadata import utcnow
from service.db.tables import Job
from service.errors import Conflict, NotFound

TERMINAL = ("succeeded", "failed", "cancelled")
_PENDING = "labelq_pending_tasks"


def create(session: Session, *, kind: str, task: str, project_id: int | None, payload: dict[str, Any]) -> Job:
    """A queued job whose task is sent after commit with ``{"job_id": id, **payload}``."""
    job = Job(project_id=project_id, kind=kind, status="queued", payload=payload)
    session.add(job)
    session.flush()
    session.info.setdefault(_PENDING, []).append((task, {"job_id": job.id, **payload}))
    return job


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for task, payload in session.info.pop(_PENDING, []):
        queue.send(task, payload)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def claim(session: Session, job_id: int) -> bool:
    """Move a queued job to running. False if it is not queued (already done, or taken)."""
    res = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=utcnow(), attempts=Job.attempts + 1)
    )
    return res.rowcount == 1


def report(
    session: Session,
    job_id: int,
    *,
    fraction: float,
    items_per_s: float | None = None,
    eta_s: float | None = None,
    message: str | None = None,
) -> bool:
    """Write progress; returns True when the client asked to cancel."""
    values: dict[str, Any] = {"progress": max(0.0, min(1.0, fraction))}
    if items_per_s is not None:
        values["items_per_s"] = items_per_s
    if eta_s is not None:
        values["eta_s"] = eta_s
    if message is not None:
        values["message"] = message
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(**values))
    job = session.get(Job, job_id)
    return bool(job and job.cancel_requested)


def finish(
    session: Session, job_id: int, result: dict[str, Any] | None = None, *, message: str | None = None
) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status="succeeded",
            progress=1.0,
            result=result,
            finished_at=utcnow(),
            eta_s=0.0,
            message=message,
        )
    )


def fail(session: Session, job_id: int, error: str, *, code: str = "error", status: str = "failed") -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=status, error=error, error_code=code, finished_at=utcnow())
    )


def request_cancel(session: Session, job_id: int) -> Job:
    job = get(session, job_id)
    if job.status in TERMINAL:
        raise Conflict(f"job {job_id} is already {job.status}")
    job.cancel_requested = True
    if job.status == "queued":
        job.status, job.finished_at, job.error = "cancelled", utcnow(), "cancelled before it started"
    session.flush()
    return job


def wait(job_id: int, seconds: float, *, poll: float = 0.05) -> None:
    """Block up to ``seconds`` until the job is terminal (each look is its own short transaction)."""
    from service.db.engine import session_scope

    deadline = time.monotonic() + seconds
    while True:
        with session_scope() as session:
            job = session.get(Job, job_id)
            if job is None or job.status in TERMINAL:
                return
        if time.monotonic() >= deadline:
            return
        time.sleep(poll)
        poll = min(poll * 1.5, 0.5)
