"""Running one job: claim it once, report progress, record success or failure on its row.

A task delivered twice (``acks_late`` redelivery, a retry) finds its job no longer queued and
does nothing: the work is done once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from service.db.engine import session_scope
from service.domain import jobs
from service.errors import LabelqError

log = logging.getLogger("labelq.worker")


class Cancelled(Exception):
    """The client asked the job to stop."""


class Progress:
    """Writes progress to the job row at most every ``interval`` seconds; raises Cancelled."""

    def __init__(self, job_id: int, interval: float = 0.5) -> None:
        self.job_id, self.interval, self._last = job_id, interval, 0.0
        self.cancelled = False

    def __call__(
        self,
        fraction: float,
        *,
        items_per_s: float | None = None,
        eta_s: float | None = None,
        message: str | None = None,
        force: bool = False,
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        with session_scope() as s:
            self.cancelled = jobs.report(
                s, self.job_id, fraction=fraction, items_per_s=items_per_s, eta_s=eta_s, message=message
            )
        if self.cancelled:
            raise Cancelled()

    def should_stop(self) -> bool:
        return self.cancelled


def run_job(
    job_id: int, work: Callable[[Progress], dict[str, Any]], on_failure: Callable[[str], None] | None = None
) -> None:
    with session_scope() as s:
        if not jobs.claim(s, job_id):
            log.info("job %s is not queued any more; nothing to do", job_id)
            return
    progress = Progress(job_id)
    try:
        result = work(progress)
    except Cancelled:
        _fail(job_id, "cancelled by request", "cancelled", "cancelled", on_failure)
    except LabelqError as exc:
        _fail(job_id, exc.detail, exc.code, "failed", on_failure)
    except Exception as exc:  # a worker never lets an error escape without recording it
        log.exception("job %s failed", job_id)
        _fail(job_id, f"internal error: {type(exc).__name__}: {exc}", "internal", "failed", on_failure)
    else:
        with session_scope() as s:
            jobs.finish(s, job_id, result)


def _fail(job_id: int, error: str, code: str, status: str, on_failure: Callable[[str], None] | None) -> None:
    if on_failure is not None:
        try:
            on_failure(error)
        except Exception:
            log.exception("cleanup after job %s failed", job_id)
    with session_scope() as s:
        jobs.fail(s, job_id, error, code=code, status=status)
