"""Running one job: claim it, hold its lease, report progress, record success or failure.

A delivery claims the job (queued, or running with an expired lease: its worker died); a second
delivery of a job that is running under a live lease, or already ended, does nothing. While the
work runs a heartbeat thread renews the lease; a worker that dies stops renewing it, and the next
delivery or a sweep's reaper takes the job back (service/domain/jobs.py).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import logs
from service.db.engine import session_scope
from service.db.tables import Job
from service.domain import jobs
from service.errors import LabelqError, TimeLimit
from service.settings import get_settings

log = logging.getLogger("labelq.worker")
WORKER_NAME = f"{socket.gethostname()}-{os.getpid()}"  # recorded on the jobs this process claims


class Cancelled(Exception):
    """The client asked the job to stop."""


class LeaseLost(Exception):
    """Another delivery took the job over (this worker stalled past its lease)."""


class Progress:
    """Writes progress to the job row at most every ``interval`` seconds; raises Cancelled."""

    def __init__(self, job_id: int, attempt: int = 0, interval: float = 0.5, lease_s: float = 60.0) -> None:
        self.job_id, self.attempt, self.interval, self.lease_s = job_id, attempt, interval, lease_s
        self._last = 0.0
        self.cancelled = False
        self.lost = False

    def __call__(
        self,
        fraction: float,
        *,
        items_per_s: float | None = None,
        eta_s: float | None = None,
        message: str | None = None,
        force: bool = False,
    ) -> None:
        self._raise_if_stopped()
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        with session_scope() as s:
            mine, cancel = jobs.report(
                s,
                self.job_id,
                self.attempt,
                lease_s=self.lease_s,
                fraction=fraction,
                items_per_s=items_per_s,
                eta_s=eta_s,
                message=message,
            )
        self.note(mine, cancel)
        self._raise_if_stopped()

    def fence(self, session: Session) -> None:
        """Renew the lease in ``session`` (the transaction of a partial write, e.g. one batch of an
        import): the write commits only while this attempt still owns the job."""
        self.note(*jobs.renew(session, self.job_id, self.attempt, lease_s=self.lease_s))
        self._raise_if_stopped()

    def note(self, mine: bool, cancel: bool) -> None:
        self.lost = self.lost or not mine
        self.cancelled = self.cancelled or cancel

    def _raise_if_stopped(self) -> None:
        if self.lost:
            raise LeaseLost()
        if self.cancelled:
            raise Cancelled()

    def should_stop(self) -> bool:
        return self.cancelled or self.lost


class Heartbeat:
    """A thread that renews the job's lease every third of it until stopped."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"heartbeat-{progress.job_id}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        p = self.progress
        while not self._stop.wait(p.lease_s / 3):
            try:
                with session_scope() as s:
                    p.note(*jobs.renew(s, p.job_id, p.attempt, lease_s=p.lease_s))
            except Exception:  # a database blip: the next beat tries again, the lease has slack
                log.warning("heartbeat of job %s failed", p.job_id, exc_info=True)


def run_job(job_id: int, work: Callable[[Progress], dict[str, Any]]) -> None:
    """Claim, run ``work`` under a heartbeat, record the outcome. What a failed job held (its
    round, pool, checkpoint) is released with the failure, only if this attempt still owns it."""
    settings = get_settings()
    lease_s = settings.job_lease_seconds
    with session_scope() as s:
        attempt = jobs.claim(
            s, job_id, lease_s=lease_s, max_attempts=settings.job_max_attempts, worker=WORKER_NAME
        )
        request_id = s.execute(select(Job.request_id).where(Job.id == job_id)).scalar()
    with logs.job_context(job_id, request_id):
        if attempt is None:
            log.info("job %s is running under a live lease or has ended; nothing to do", job_id)
            return
        log.info("job %s attempt %s started", job_id, attempt)
        _run(job_id, attempt, work, lease_s)


def _run(job_id: int, attempt: int, work: Callable[[Progress], dict[str, Any]], lease_s: float) -> None:
    progress = Progress(job_id, attempt, lease_s=lease_s)
    start = time.monotonic()
    try:
        with Heartbeat(progress):
            result = work(progress)
    except LeaseLost:
        log.warning(
            "job %s attempt %s lost its lease to another delivery; its result is dropped", job_id, attempt
        )
    except Cancelled:
        _fail(job_id, attempt, "cancelled by request", "cancelled", "cancelled")
    except SoftTimeLimitExceeded:  # not retried: another attempt would run as long
        detail = "the job ran past its time limit and was stopped (raise LABELQ_JOB_TIME_LIMITS for its kind)"
        _fail(job_id, attempt, detail, TimeLimit.code, "failed")
    except LabelqError as exc:
        _fail(job_id, attempt, exc.detail, exc.code, "failed")
    except Exception as exc:  # a worker never lets an error escape without recording it
        log.exception("job %s failed", job_id)
        _fail(job_id, attempt, f"{type(exc).__name__}: {exc}", "internal", "failed")
    else:
        seconds = time.monotonic() - start
        with session_scope() as s:
            if not jobs.finish(s, job_id, attempt, result, seconds=seconds):
                log.warning(
                    "job %s attempt %s finished after losing its lease; result dropped", job_id, attempt
                )
                return
        log.info("job %s succeeded in %.2f s", job_id, seconds)


def _fail(job_id: int, attempt: int, error: str, code: str, status: str) -> None:
    with session_scope() as s:
        if not jobs.fail(s, job_id, attempt, error, code=code, status=status):
            log.warning("job %s attempt %s failed after losing its lease; not recorded", job_id, attempt)


def rate_progress(progress: Callable[..., None], share: float) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback of a forward pass as the first ``share`` of a job's progress,
    with items/s and an ETA."""
    start = time.monotonic()

    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        progress(
            share * done / max(total, 1),
            items_per_s=rate,
            eta_s=(total - done) / rate if rate else None,
            message=f"forward pass {done}/{total}",
        )

    return report
