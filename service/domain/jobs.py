"""Jobs: a row per unit of background work, its status, progress, lease and delivery.

Delivery is a transactional outbox: ``create`` writes the job with its task name and ``sent_at``
NULL; after the transaction commits the message is sent and ``sent_at`` stamped. A send that fails
(broker down) leaves the row unsent and the request still succeeds; ``relay`` (run by every
sweep, see service/sweeper.py) sends it once the broker is back. A rolled back transaction sends
nothing. A message may arrive twice; the claim makes the second delivery a no-op.

A running job holds a lease (``lease_until``) that its worker's heartbeat renews. ``claim`` takes a
queued job, or a running one whose lease expired; ``reap`` puts expired jobs back in the queue
until ``job_max_attempts`` deliveries, then fails them and releases what they held (``release``).
``attempts`` is the fencing token: a worker that lost its lease can no longer write the job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, event, false, func, or_, select, text, update
from sqlalchemy.orm import Session

from service import logs, queue
from service.db.engine import is_postgres
from service.db.metadata import utcnow
from service.db.tables import Checkpoint, Job, Pool, Round
from service.domain.pools.service import array_key
from service.errors import Conflict, NotFound

log = logging.getLogger("labelq.jobs")

TERMINAL = ("succeeded", "failed", "cancelled")
JOB_ENDS = "labelq_jobs"  # PostgreSQL NOTIFY channel: a job's id when it ends (service/api/job_events.py)
_PENDING = "labelq_pending_jobs"
RELAY_GRACE_S = 5.0  # a job committed this recently is being sent by its own request


def create(
    session: Session,
    *,
    kind: str,
    task: str,
    project_id: int | None,
    payload: dict[str, Any],
    parent_id: int | None = None,
) -> Job:
    """A queued job whose task is sent after commit with ``{"job_id": id, **payload}``;
    ``parent_id``: a part of that job (cancelled and released with it)."""
    job = Job(
        project_id=project_id,
        kind=kind,
        status="queued",
        task=task,
        payload=payload,
        parent_id=parent_id,
        request_id=logs.request_id(),
    )
    session.add(job)
    session.flush()
    session.info.setdefault(_PENDING, []).append(job.id)
    return job


def task_message(job: Job) -> dict[str, Any]:
    """What the broker carries: the job id and its payload."""
    return {"job_id": job.id, **(job.payload or {})}


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, [])
    if not ids:
        return
    from service.db.engine import session_scope

    try:
        with session_scope() as s:
            send(s, select(Job).where(Job.id.in_(ids)))
    except Exception:  # the rows are committed: the relay sends them; the request must not fail
        log.warning("could not send jobs %s after commit; the relay will", ids, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def send(session: Session, query: Any) -> int:
    """Send the unsent queued jobs ``query`` selects; stamp each one sent. Stops at the first
    broker error (the rest stay unsent for the relay). Returns how many were sent."""
    query = query.where(Job.status == "queued", Job.sent_at.is_(None), Job.task.is_not(None))
    sent = 0
    for job in session.execute(query.order_by(Job.id).with_for_update(skip_locked=True)).scalars():
        try:
            queue.send(job.task or "", task_message(job))
        except Exception as exc:  # the broker is down: the relay sends it later
            log.warning(
                "could not send job %s (%s: %s); it stays queued for the relay",
                job.id,
                type(exc).__name__,
                exc,
            )
            break
        job.sent_at = utcnow()
        sent += 1
    session.flush()
    return sent


def relay(session: Session, *, grace_s: float = RELAY_GRACE_S) -> int:
    """Send queued jobs that were never sent (a broker outage, a crash between commit and send)."""
    return send(session, select(Job).where(Job.created_at < utcnow() - timedelta(seconds=grace_s)))


def unsent(job: Job) -> bool:
    return job.status == "queued" and job.sent_at is None


def of_project(
    session: Session, project_id: int, *, kind: str | None, limit: int, offset: int
) -> tuple[int, list[Job]]:
    """(how many, a page newest first) of the project's jobs, of ``kind`` if given; shard jobs
    (parts of a round's scoring) are left out."""
    where = and_(Job.project_id == project_id, Job.parent_id.is_(None))
    if kind is not None:
        where = and_(where, Job.kind == kind)
    total = session.execute(select(func.count()).select_from(Job).where(where)).scalar_one()
    page = session.execute(select(Job).where(where).order_by(Job.id.desc()).limit(limit).offset(offset))
    return int(total), list(page.scalars())


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def _expired(now: Any) -> Any:
    return and_(Job.status == "running", or_(Job.lease_until.is_(None), Job.lease_until < now))


def claim(
    session: Session, job_id: int, *, lease_s: float, max_attempts: int, worker: str | None = None
) -> int | None:
    """Take the job: queued, or running with an expired lease (its worker died). Returns the
    attempt number (the fencing token for later writes), or None when the job is not ours to run."""
    now = utcnow()
    res = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(Job.status == "queued", _expired(now)),
            Job.attempts < max_attempts,
            Job.cancel_requested == false(),
        )
        .values(
            status="running",
            started_at=now,
            lease_until=now + timedelta(seconds=lease_s),
            attempts=Job.attempts + 1,
            worker=worker,
            error=None,
            error_code=None,
        )
        .returning(Job.attempts)
    ).first()
    return None if res is None else int(res[0])


def _mine(job_id: int, attempt: int) -> Any:
    return and_(Job.id == job_id, Job.status == "running", Job.attempts == attempt)


def renew(session: Session, job_id: int, attempt: int, *, lease_s: float) -> tuple[bool, bool]:
    """Extend the lease. Returns (still ours, cancel requested)."""
    res = session.execute(
        update(Job)
        .where(_mine(job_id, attempt))
        .values(lease_until=utcnow() + timedelta(seconds=lease_s))
        .returning(Job.cancel_requested)
    ).first()
    return (False, False) if res is None else (True, bool(res[0]))


def report(
    session: Session,
    job_id: int,
    attempt: int,
    *,
    lease_s: float,
    fraction: float,
    items_per_s: float | None = None,
    eta_s: float | None = None,
    message: str | None = None,
) -> tuple[bool, bool]:
    """Write progress and renew the lease; returns (still ours, cancel requested)."""
    values: dict[str, Any] = {"progress": max(0.0, min(1.0, fraction))}
    if items_per_s is not None:
        values["items_per_s"] = items_per_s
    if eta_s is not None:
        values["eta_s"] = eta_s
    if message is not None:
        values["message"] = message
    session.execute(update(Job).where(_mine(job_id, attempt)).values(**values))
    return renew(session, job_id, attempt, lease_s=lease_s)


def finish(
    session: Session, job_id: int, attempt: int, result: dict[str, Any] | None = None, *, seconds: float = 0.0
) -> bool:
    """Mark the job succeeded (``result["units"]``: the work it did, for GET /metrics; ``seconds``:
    how long it ran); False when this attempt no longer owns it."""
    units = (result or {}).get("units")
    res = session.execute(
        update(Job)
        .where(_mine(job_id, attempt))
        .values(
            status="succeeded",
            progress=1.0,
            result=result,
            finished_at=utcnow(),
            eta_s=0.0,
            lease_until=None,
            units=float(units) if isinstance(units, int | float) else None,
            seconds=seconds,
        )
    )
    if res.rowcount == 1:
        announce_end(session, job_id)
    return res.rowcount == 1


def fail(
    session: Session,
    job_id: int,
    attempt: int | None,
    error: str,
    *,
    code: str = "error",
    status: str = "failed",
) -> bool:
    """End the job as failed/cancelled and release what it held; False when it is not ours."""
    cond = (
        _mine(job_id, attempt) if attempt is not None else and_(Job.id == job_id, Job.status.not_in(TERMINAL))
    )
    res = session.execute(
        update(Job)
        .where(cond)
        .values(status=status, error=error, error_code=code, finished_at=utcnow(), lease_until=None)
    )
    if res.rowcount != 1:
        return False
    release(session, get(session, job_id), error)
    announce_end(session, job_id)
    return True


def announce_end(session: Session, job_id: int) -> None:
    """PostgreSQL: notify ``JOB_ENDS`` of the job when this transaction commits (nothing if it
    rolls back), so long-polls on it wake at once; elsewhere they poll."""
    if is_postgres(session):
        session.execute(text("SELECT pg_notify(:channel, :job)"), {"channel": JOB_ENDS, "job": str(job_id)})


def release(session: Session, job: Job, error: str) -> None:
    """What a job that ended without success held: its round fails (its items are no longer
    reserved), a pool still importing is dropped, a checkpoint still validating is rejected, its
    parts (shards) not yet ended are cancelled."""
    session.execute(
        update(Job)
        .where(Job.parent_id == job.id, Job.status == "queued")
        .values(status="cancelled", error=f"its parent job {job.id} ended", finished_at=utcnow())
    )
    session.execute(
        update(Job).where(Job.parent_id == job.id, Job.status == "running").values(cancel_requested=True)
    )
    session.execute(
        update(Round)
        .where(Round.job_id == job.id, Round.status.in_(("pending", "scoring")))
        .values(status="failed", error=error, closed_at=utcnow())
    )
    session.execute(
        update(Checkpoint)
        .where(Checkpoint.job_id == job.id, Checkpoint.status == "validating")
        .values(status="rejected", error=error)
    )
    pools = list(
        session.execute(select(Pool).where(Pool.job_id == job.id, Pool.status == "importing")).scalars()
    )
    if pools:
        session.execute(delete(Pool).where(Pool.id.in_([p.id for p in pools])))
    upload = (job.payload or {}).get("upload")
    keys = [upload] if isinstance(upload, str) else []
    keys += [array_key(p.id) for p in pools]
    if keys:
        session.info.setdefault("labelq_delete_blobs", []).extend(keys)
    session.flush()


@event.listens_for(Session, "after_commit")
def _delete_blobs_after_commit(session: Session) -> None:
    keys = session.info.pop("labelq_delete_blobs", [])
    if keys:
        from service.storage import get_store

        store = get_store()
        for key in keys:
            store.delete(key)


@dataclass(frozen=True)
class Reaped:
    retried: list[int]
    failed: list[int]
    cancelled: list[int]


def reap(session: Session, *, max_attempts: int, lease_s: float) -> Reaped:
    """Jobs whose worker stopped renewing the lease: queued again (the relay resends them) until
    ``max_attempts`` deliveries, then failed with ``worker_lost``; cancelled if the client asked."""
    out = Reaped([], [], [])
    now = utcnow()
    expired = session.execute(
        select(Job).where(_expired(now)).order_by(Job.id).with_for_update(skip_locked=True)
    ).scalars()
    for job in list(expired):
        if job.cancel_requested:
            _cancel(session, job.id, LOST_CANCEL)
            out.cancelled.append(job.id)
        elif job.attempts >= max_attempts:
            fail(
                session,
                job.id,
                None,
                f"the worker running this job was lost {job.attempts} times "
                f"(no heartbeat for {lease_s:g} s); giving up",
                code="worker_lost",
            )
            out.failed.append(job.id)
        else:
            job.status, job.sent_at, job.lease_until = "queued", None, None
            job.message = f"worker lost during attempt {job.attempts} of {max_attempts}; queued again"
            out.retried.append(job.id)
    session.flush()
    return out


def request_cancel(session: Session, job_id: int) -> Job:
    job = get(session, job_id)
    if job.status in TERMINAL:
        raise Conflict(f"job {job_id} is already {job.status}")
    job.cancel_requested = True
    session.flush()
    lost = job.status == "running" and (job.lease_until is None or job.lease_until < utcnow())
    if job.status == "queued" or lost:  # no live worker will see the request: cancel it here
        _cancel(session, job_id, "cancelled before it started" if job.status == "queued" else LOST_CANCEL)
    session.refresh(job)
    return job


LOST_CANCEL = "cancelled by request (its worker was lost)"


def _cancel(session: Session, job_id: int, why: str) -> None:
    fail(session, job_id, None, why, code="cancelled", status="cancelled")
