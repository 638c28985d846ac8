"""What a program needs around the generated SDK (``labelq_client``): a client per key, answers
parsed or an :class:`ApiError` carrying the API's ``{"error", "detail"}``, and waits for jobs and
rounds that poll with backoff and report progress to a callback.

    api = connect(url, key)
    project = call(create_project.sync_detailed, client=api, body=ProjectIn(...))
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from labelq_client import AuthenticatedClient
from labelq_client.api.jobs import get_job
from labelq_client.api.rounds import get_round
from labelq_client.models import JobOut, RoundOut
from labelq_client.types import Response

JOB_TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
ROUND_TERMINAL = frozenset({"ready", "closed", "failed", "cancelled"})
ProgressCallback = Callable[[JobOut], None]


class ApiError(Exception):
    """A non-2xx answer from the API."""

    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(f"HTTP {status} {error}: {detail}" if detail else f"HTTP {status} {error}")

    @classmethod
    def of(cls, response: Response[Any]) -> ApiError:
        error, detail = f"http_{int(response.status_code)}", response.content.decode(errors="replace")
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict):
            error, detail = str(body.get("error") or error), body.get("detail", detail)
        return cls(int(response.status_code), error, detail)


class JobFailedError(RuntimeError):
    """A job ended as ``failed`` or ``cancelled``."""

    def __init__(self, job: JobOut) -> None:
        self.job = job
        super().__init__(f"job {job.id} ({job.kind}) {job.status}: {job.error or job.message or 'no detail'}")


class RoundFailedError(RuntimeError):
    """A round ended as ``failed`` or ``cancelled``."""

    def __init__(self, rnd: RoundOut) -> None:
        self.round = rnd
        super().__init__(f"round {rnd.id} {rnd.status}: {rnd.error or 'no detail'}")


def connect(
    url: str, key: str, *, timeout: float = 180.0, transport: httpx.BaseTransport | None = None
) -> AuthenticatedClient:
    """A client holding ``key`` (the admin key or a project key). The timeout outlasts the
    server's longest wait (``wait_seconds`` is capped at LABELQ_MAX_WAIT_SECONDS, 60 s by default)."""
    extra = {"transport": transport} if transport is not None else {}
    return AuthenticatedClient(
        base_url=url.rstrip("/"), token=key, timeout=httpx.Timeout(timeout), httpx_args=extra
    )


def call(endpoint: Callable[..., Response[Any]], *args: Any, **kwargs: Any) -> Any:
    """``endpoint`` (a generated ``sync_detailed``) called: its parsed answer, or ApiError."""
    response = endpoint(*args, **kwargs)
    if not 200 <= int(response.status_code) < 300:
        raise ApiError.of(response)
    return response.parsed


def extra(model: Any) -> dict[str, Any]:
    """A free-form object of an answer (a job's ``result``, a checkpoint's ``metrics``) as a dict."""
    return {} if model is None else dict(model.to_dict())


def wait_job(
    client: AuthenticatedClient,
    job_id: int,
    on_progress: ProgressCallback | None = None,
    *,
    timeout: float | None = None,
    poll_min: float = 0.2,
    poll_max: float = 2.0,
    raise_on_failure: bool = True,
) -> JobOut:
    """Poll ``GET /jobs/{id}`` until the job ends, calling ``on_progress(job)`` on each poll. The
    interval grows 1.5x from ``poll_min`` to ``poll_max`` and drops back whenever progress moved; a
    few transport errors in a row are retried. Raises JobFailedError (unless ``raise_on_failure``
    is False) and TimeoutError."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay, last_progress, transport_errors = poll_min, None, 0
    while True:
        job: JobOut | None = None
        try:
            job = call(get_job.sync_detailed, job_id, client=client)
            transport_errors = 0
        except httpx.TransportError:
            transport_errors += 1
            if transport_errors > 5:
                raise
        if job is not None:
            if on_progress is not None:
                on_progress(job)
            if job.status in JOB_TERMINAL:
                if raise_on_failure and job.status != "succeeded":
                    raise JobFailedError(job)
                return job
            if job.progress != last_progress:
                delay, last_progress = poll_min, job.progress
        if deadline is not None and time.monotonic() + delay > deadline:
            raise TimeoutError(f"job {job_id} did not finish within {timeout} s")
        time.sleep(delay)
        delay = min(delay * 1.5, poll_max)


def follow(
    client: AuthenticatedClient, job: JobOut, on_progress: ProgressCallback | None = None, **kw: Any
) -> JobOut:
    """``job`` if it already ended (succeeded, else JobFailedError), or :func:`wait_job` on it."""
    if job.status in JOB_TERMINAL:
        if job.status != "succeeded":
            raise JobFailedError(job)
        return job
    return wait_job(client, job.id, on_progress, **kw)


def wait_round(
    client: AuthenticatedClient,
    round_id: int,
    on_progress: ProgressCallback | None = None,
    *,
    timeout: float | None = None,
    poll_min: float = 0.2,
    poll_max: float = 2.0,
) -> RoundOut:
    """Wait until a round is ``ready`` (or closed), following its scoring job for progress.
    Raises RoundFailedError for a failed or cancelled round, TimeoutError on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = poll_min
    while True:
        rnd: RoundOut = call(get_round.sync_detailed, round_id, client=client)
        if rnd.status in ROUND_TERMINAL:
            if rnd.status in ("failed", "cancelled"):
                raise RoundFailedError(rnd)
            return rnd
        if isinstance(rnd.job_id, int):
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            # the job's end and the round's state change are two writes: poll the round again after
            wait_job(
                client,
                rnd.job_id,
                on_progress,
                timeout=remaining,
                poll_min=poll_min,
                poll_max=poll_max,
                raise_on_failure=False,
            )
        if deadline is not None and time.monotonic() + delay > deadline:
            raise TimeoutError(f"round {round_id} was not ready within {timeout} s")
        time.sleep(delay)
        delay = min(delay * 1.5, poll_max)
