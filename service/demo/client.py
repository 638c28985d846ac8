"""A small typed HTTP client for the labelq REST API (httpx, synchronous).

One method per endpoint; every non-2xx answer raises :class:`ApiError` carrying the API's
``{"error": code, "detail": text}``. Responses are returned as plain dicts typed with ``TypedDict``
(extra fields the server adds are kept). Long work is followed with :meth:`LabelqClient.wait_job`
and :meth:`LabelqClient.wait_round`, which poll with backoff and report progress to a callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict

import httpx

__all__ = [
    "ApiError",
    "Job",
    "JobFailedError",
    "LabelResult",
    "LabelqClient",
    "Pool",
    "PoolUpload",
    "Project",
    "Round",
    "RoundFailedError",
    "Selection",
]

Id = int | str
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RoundStatus = Literal["pending", "scoring", "ready", "closed", "failed", "cancelled"]

JOB_TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
ROUND_TERMINAL = frozenset({"ready", "closed", "failed", "cancelled"})


class Project(TypedDict, total=False):
    id: Id
    name: str
    classes: list[str]
    budget: int
    budget_spent: int
    budget_left: int
    input_shape: list[int]
    default_strategy: str
    default_objective: str
    api_key: str  # only in the answer to POST /projects


class Job(TypedDict, total=False):
    id: Id
    kind: str
    status: JobStatus
    progress: float
    items_per_s: float | None
    eta_s: float | None
    message: str | None
    error: str | None
    result: dict[str, Any] | None


class Pool(TypedDict, total=False):
    id: Id
    domain: Literal["source", "target"]
    split: Literal["train", "eval"]
    n_items: int
    n_labeled: int
    status: str


class PoolUpload(TypedDict):
    pool: Pool
    job: Job


class Selection(TypedDict, total=False):
    item_id: Id
    external_id: str
    rank: int
    score: float
    components: dict[str, Any]


class Round(TypedDict, total=False):
    id: Id
    status: RoundStatus
    strategy: str
    budget: int
    selections: list[Selection]
    error: str | None
    job_id: Id | None


class LabelResult(TypedDict):
    accepted: int
    unchanged: int
    overwritten: int
    budget_spent: int
    budget_left: int


ProgressCallback = Callable[[Job], None]


class ApiError(Exception):
    """A non-2xx answer from the API."""

    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        super().__init__(f"HTTP {status} {error}: {detail}" if detail else f"HTTP {status} {error}")


class JobFailedError(RuntimeError):
    """A job ended as ``failed`` or ``cancelled``."""

    def __init__(self, job: Job) -> None:
        self.job = job
        super().__init__(
            f"job {job.get('id')} ({job.get('kind', '?')}) {job.get('status')}: "
            f"{job.get('error') or job.get('message') or 'no detail'}"
        )


class RoundFailedError(RuntimeError):
    """A round ended as ``failed`` or ``cancelled``."""

    def __init__(self, rnd: Round) -> None:
        self.round = rnd
        super().__init__(f"round {rnd.get('id')} {rnd.get('status')}: {rnd.get('error') or 'no detail'}")


def _raise_for_status(resp: httpx.Response) -> None:
    if resp.is_success:
        return
    error, detail = f"http_{resp.status_code}", resp.text or resp.reason_phrase
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = str(body.get("error") or error)
        detail = body.get("detail", detail)
    raise ApiError(resp.status_code, error, detail)


class LabelqClient:
    """Client for one API key (the admin key, or a project key returned by :meth:`create_project`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._transport = transport
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LabelqClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def with_key(self, api_key: str) -> LabelqClient:
        """A new client on the same server with another key (e.g. the project key)."""
        return LabelqClient(self.base_url, api_key, timeout=self._timeout, transport=self._transport)

    def _request(self, method: str, path: str, *, wait_seconds: float = 0, **kwargs: Any) -> Any:
        # a request that asks the server to wait must not time out on our side first
        timeout = max(self._timeout, wait_seconds + 30.0)
        resp = self._http.request(method, path, timeout=timeout, **kwargs)
        _raise_for_status(resp)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    # -- health ---------------------------------------------------------------------------------

    def healthz(self) -> dict[str, Any]:
        return self._request("GET", "/healthz")

    def readyz(self) -> dict[str, Any]:
        return self._request("GET", "/readyz")

    # -- projects -------------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        classes: Sequence[str],
        budget: int,
        input_shape: Sequence[int],
        *,
        default_strategy: str = "entropy",
        default_objective: str = "ce",
    ) -> Project:
        """``POST /projects`` (admin key). The answer's ``api_key`` is shown only this once."""
        body = {
            "name": name,
            "classes": list(classes),
            "budget": int(budget),
            "input_shape": [int(d) for d in input_shape],
            "default_strategy": default_strategy,
            "default_objective": default_objective,
        }
        return self._request("POST", "/projects", json=body)

    def get_project(self, project_id: Id) -> Project:
        return self._request("GET", f"/projects/{project_id}")

    def list_projects(self) -> list[Project]:
        return self._request("GET", "/projects")

    def metrics(self, project_id: Id) -> dict[str, Any]:
        """Rounds, checkpoints and the stopping advice (GET /projects/{id}/metrics)."""
        return self._request("GET", f"/projects/{project_id}/metrics")

    # -- pools ----------------------------------------------------------------------------------

    def upload_pool(
        self,
        project_id: Id,
        path: Path | str,
        *,
        domain: Literal["source", "target"],
        split: Literal["train", "eval"] = "train",
        wait_seconds: int = 60,
        hidden_labels: bool = False,
    ) -> PoolUpload:
        """``POST /projects/{id}/pools`` with a tensor file. 201 when imported within ``wait_seconds``,
        202 while the import job still runs (follow ``["job"]["id"]`` with :meth:`wait_job`).
        ``hidden_labels``: a target/train pool's ``y`` becomes the hidden truth of simulation mode."""
        path = Path(path)
        data = {"domain": domain, "split": split, "wait_seconds": str(int(wait_seconds))}
        if hidden_labels:
            data["hidden_labels"] = "true"
        with open(path, "rb") as f:
            files = {"file": (path.name, f, "application/octet-stream")}
            return self._request(
                "POST", f"/projects/{project_id}/pools", data=data, files=files, wait_seconds=wait_seconds
            )

    # -- training and jobs ----------------------------------------------------------------------

    def train(
        self,
        project_id: Id,
        *,
        objective: str = "ce",
        params: Mapping[str, Any] | None = None,
        architecture: str = "lenet",
        arch_args: Mapping[str, Any] | None = None,
        checkpoint_id: Id | None = None,
        epochs: int = 3,
        batch_size: int = 64,
        lr: float = 1e-3,
        seed: int = 0,
        wait_seconds: int = 0,
    ) -> Job:
        """``POST /projects/{id}/train``: from scratch if the project has no checkpoint yet, else a
        fine-tune of ``checkpoint_id`` or the latest ready checkpoint. Returns the job."""
        body = {
            "objective": objective,
            "params": dict(params or {}),
            "architecture": architecture,
            "arch_args": dict(arch_args or {}),
            "checkpoint_id": checkpoint_id,
            "epochs": int(epochs),
            "batch_size": int(batch_size),
            "lr": float(lr),
            "seed": int(seed),
            "wait_seconds": int(wait_seconds),
        }
        answer = self._request("POST", f"/projects/{project_id}/train", json=body, wait_seconds=wait_seconds)
        return answer["job"]

    def get_job(self, job_id: Id) -> Job:
        return self._request("GET", f"/jobs/{job_id}")

    def wait_job(
        self,
        job_id: Id,
        on_progress: ProgressCallback | None = None,
        *,
        timeout: float | None = None,
        poll_min: float = 0.2,
        poll_max: float = 2.0,
        raise_on_failure: bool = True,
    ) -> Job:
        """Poll ``GET /jobs/{id}`` until the job is terminal; call ``on_progress(job)`` on each poll.

        The poll interval starts at ``poll_min`` and grows 1.5x up to ``poll_max``; it drops back to
        ``poll_min`` whenever progress moved. A few transient transport errors are retried. Raises
        :class:`JobFailedError` for failed/cancelled jobs (unless ``raise_on_failure=False``) and
        ``TimeoutError`` after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay, last_progress, transport_errors = poll_min, None, 0
        while True:
            try:
                job = self.get_job(job_id)
                transport_errors = 0
            except httpx.TransportError:
                transport_errors += 1
                if transport_errors > 5:
                    raise
                job = None
            if job is not None:
                if on_progress is not None:
                    on_progress(job)
                if job.get("status") in JOB_TERMINAL:
                    if raise_on_failure and job.get("status") != "succeeded":
                        raise JobFailedError(job)
                    return job
                progress = job.get("progress")
                if progress != last_progress:
                    delay, last_progress = poll_min, progress
            if deadline is not None and time.monotonic() + delay > deadline:
                raise TimeoutError(f"job {job_id} did not finish within {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.5, poll_max)

    # -- simulation -----------------------------------------------------------------------------

    def simulate(
        self,
        project_id: Id,
        runs: Sequence[Mapping[str, Any]],
        *,
        schedule: Sequence[int] | None = None,
        rounds: int | None = None,
        per_round: int | None = None,
        seeds: Sequence[int] = (0,),
        epochs: int = 2,
        batch_size: int = 64,
        lr: float = 1e-3,
        optimizer: str = "adam",
        checkpoint_id: Id | None = None,
        wait_seconds: int = 0,
    ) -> dict[str, Any]:
        """``POST /projects/{id}/simulate``: ``runs=[{"strategy", "params", "objective",
        "objective_params"}, ...]`` and ``schedule`` (or ``rounds`` x ``per_round``). Returns
        ``{"job": ..., "result": ... or None}``; follow ``["job"]["id"]`` with :meth:`wait_job`."""
        body: dict[str, Any] = {
            "runs": [dict(r) for r in runs],
            "seeds": [int(s) for s in seeds],
            "epochs": int(epochs),
            "batch_size": int(batch_size),
            "lr": float(lr),
            "optimizer": optimizer,
            "checkpoint_id": checkpoint_id,
            "wait_seconds": int(wait_seconds),
        }
        if schedule is not None:
            body["schedule"] = [int(b) for b in schedule]
        else:
            body["rounds"], body["per_round"] = rounds, per_round
        return self._request("POST", f"/projects/{project_id}/simulate", json=body, wait_seconds=wait_seconds)

    def get_simulation(self, job_id: Id) -> dict[str, Any]:
        """``GET /simulations/{job_id}``: the job and, once it succeeded, the curves."""
        return self._request("GET", f"/simulations/{job_id}")

    def get_plot(self, job_id: Id) -> bytes:
        """``GET /simulations/{job_id}/plot.png``: the PNG of a finished simulation."""
        resp = self._http.get(f"/simulations/{job_id}/plot.png")
        _raise_for_status(resp)
        return resp.content

    # -- rounds and labels ----------------------------------------------------------------------

    def query_batch(
        self,
        project_id: Id,
        budget: int,
        *,
        strategy: str = "entropy",
        params: Mapping[str, Any] | None = None,
        checkpoint_id: Id | None = None,
        idempotency_key: str | None = None,
        seed: int = 0,
        wait_seconds: int = 30,
    ) -> Round:
        """``POST /query-batch``: a round, ``ready`` if scored within ``wait_seconds`` (201), else
        ``pending``/``scoring`` (202; follow it with :meth:`wait_round`)."""
        body = {
            "project_id": project_id,
            "budget": int(budget),
            "strategy": strategy,
            "params": dict(params or {}),
            "checkpoint_id": checkpoint_id,
            "idempotency_key": idempotency_key,
            "seed": int(seed),
            "wait_seconds": int(wait_seconds),
        }
        return self._request("POST", "/query-batch", json=body, wait_seconds=wait_seconds)

    def get_round(self, round_id: Id) -> Round:
        return self._request("GET", f"/rounds/{round_id}")

    def wait_round(
        self,
        round_id: Id,
        on_progress: ProgressCallback | None = None,
        *,
        timeout: float | None = None,
        poll_min: float = 0.2,
        poll_max: float = 2.0,
    ) -> Round:
        """Wait until a round is ``ready`` (or closed); follows its scoring job for progress.
        Raises :class:`RoundFailedError` for failed/cancelled rounds, ``TimeoutError`` on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = poll_min
        while True:
            rnd = self.get_round(round_id)
            status = rnd.get("status")
            if status in ROUND_TERMINAL:
                if status in ("failed", "cancelled"):
                    raise RoundFailedError(rnd)
                return rnd
            job_id = rnd.get("job_id")
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if job_id is not None:
                # the job's end and the round's state change may be two writes: poll the round again
                job = self.wait_job(
                    job_id,
                    on_progress,
                    timeout=remaining,
                    poll_min=poll_min,
                    poll_max=poll_max,
                    raise_on_failure=False,
                )
                if job.get("status") != "succeeded":
                    rnd = self.get_round(round_id)
                    if rnd.get("status") in ("failed", "cancelled"):
                        raise RoundFailedError(rnd)
            if deadline is not None and time.monotonic() + delay > deadline:
                raise TimeoutError(f"round {round_id} was not ready within {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.5, poll_max)

    def submit_labels(
        self,
        project_id: Id,
        labels: Sequence[Mapping[str, Any]],
        *,
        round_id: Id | None = None,
        annotator: str | None = "demo-oracle",
    ) -> LabelResult:
        """``POST /labels`` with ``labels=[{"external_id": ..., "label": ...}, ...]``."""
        body: dict[str, Any] = {
            "project_id": project_id,
            "round_id": round_id,
            "labels": [dict(lab) for lab in labels],
        }
        if annotator is not None:
            body["annotator"] = annotator
        return self._request("POST", "/labels", json=body)
