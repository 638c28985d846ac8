"""Long-polls that hold neither a thread nor a database connection while they wait.

An endpoint that may wait for its job (``wait_seconds``) sleeps on the event loop between short
looks at the job row, each in the thread pool with its own short transaction; on PostgreSQL the
job's end (a notification, service/api/job_events.py) wakes it at once. Waits are capped by
``LABELQ_MAX_WAIT_SECONDS``; a job that is not done then, or not yet sent (broker down), is
answered 202 with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Protocol, TypeVar

import anyio
from fastapi import Response
from starlette.concurrency import run_in_threadpool

from service.api import job_events
from service.db.engine import session_scope
from service.db.tables import Job
from service.domain import jobs
from service.settings import get_settings

RETRY_AFTER_S = 2
FIRST_POLL_S = 0.05
POLL_MAX_S = 0.2  # a finished job is answered within this (each look is one primary-key read)
NOTIFIED_POLL_MAX_S = 2.0  # with job notifications, looks are only the fallback


def _settled(job_id: int) -> bool:
    with session_scope(readonly=True) as session:
        job = session.get(Job, job_id)
        return job is None or job.status in jobs.TERMINAL or jobs.unsent(job)


async def wait_for_job(job_id: int | None, seconds: float | None) -> None:
    """Return when the job ended, is not sent yet, or ``seconds`` (capped) have passed. On
    PostgreSQL the job's end wakes the wait at once (job_events), and the looks space out."""
    if job_id is None:
        return
    settings = get_settings()
    seconds = settings.default_wait_seconds if seconds is None else seconds
    deadline = time.monotonic() + min(seconds, settings.max_wait_seconds)
    listener = await run_in_threadpool(job_events.events)
    with listener.watch(job_id) if listener is not None else nullcontext() as woken:
        poll = FIRST_POLL_S
        while not await run_in_threadpool(_settled, job_id):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            with anyio.move_on_after(min(poll, left)):
                await (woken.wait() if woken is not None else anyio.sleep_forever())
            if woken is not None:
                woken.clear()
            notified = listener is not None and listener.connected.is_set()
            poll = min(poll * 1.5, NOTIFIED_POLL_MAX_S if notified else POLL_MAX_S)


def accepted(response: Response) -> None:
    """202: the work goes on; poll again after a short while."""
    response.status_code = 202
    response.headers["Retry-After"] = str(RETRY_AFTER_S)


class _WithJob(Protocol):
    job: Any


T = TypeVar("T", bound=_WithJob)


async def upload_then_wait(
    register: Callable[[], tuple[int, int]],
    answer: Callable[[int, int], T],
    wait_seconds: float | None,
    response: Response,
) -> T:
    """An upload endpoint: store and register (thread pool) -> (row id, job id), wait for the
    job, build the answer; 202 + ``Retry-After`` unless the job succeeded."""
    row_id, job_id = await run_in_threadpool(register)
    await wait_for_job(job_id, wait_seconds)
    out = await run_in_threadpool(answer, row_id, job_id)
    if out.job.status != "succeeded":
        accepted(response)
    return out
