"""Domain errors carry an HTTP status and a short code; one handler renders them.

Body: ``{"error": "<code>", "detail": "<human text>"}``. Workers persist the same errors on the
job row instead of raising them to a client.
"""

from __future__ import annotations

from typing import Any


class LabelqError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, detail: Any, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}


class BadInput(LabelqError):
    status_code = 400
    code = "bad_input"


class InvalidPool(BadInput):
    code = "invalid_pool"


class CheckpointRejected(BadInput):
    code = "checkpoint_rejected"


class Invalid(LabelqError):
    """The request is well formed JSON but breaks the schema (as FastAPI's own 422s)."""

    status_code = 422
    code = "validation_error"


class Unauthorized(LabelqError):
    status_code = 401
    code = "unauthorized"


class Forbidden(LabelqError):
    status_code = 403
    code = "forbidden"


class NotFound(LabelqError):
    status_code = 404
    code = "not_found"


class Conflict(LabelqError):
    status_code = 409
    code = "conflict"


class BudgetExhausted(Conflict):
    code = "budget_exhausted"


class LabelConflict(Conflict):
    code = "label_conflict"


class EmptyPool(Conflict):
    code = "empty_pool"


class PayloadTooLarge(LabelqError):
    status_code = 413
    code = "payload_too_large"


class Unavailable(LabelqError):
    """A dependency (database, broker) is busy or down; the client should retry."""

    status_code = 503
    code = "unavailable"


class Internal(LabelqError):
    """A fault of ours (a bug, a lost worker), never the client's input."""

    status_code = 500
    code = "internal"


class WorkerLost(Internal):
    code = "worker_lost"


class TimeLimit(Internal):
    """A job ran past its kind's time limit (LABELQ_JOB_TIME_LIMITS) and was stopped."""

    code = "time_limit"


_BY_CODE: dict[str, type[LabelqError]] = {
    cls.code: cls
    for cls in (
        BadInput,
        InvalidPool,
        CheckpointRejected,
        NotFound,
        Conflict,
        BudgetExhausted,
        EmptyPool,
        LabelConflict,
        WorkerLost,
        TimeLimit,
    )
}


def from_code(code: str | None, detail: str, *, job_id: int | None = None) -> LabelqError:
    """The domain error a worker recorded on a job, to re-raise at the HTTP edge. A code that is
    not a client error (``internal``, unknown) is a 500 that names the job to look up."""
    cls = _BY_CODE.get(code or "")
    if cls is not None:
        return cls(detail)
    return Internal(f"the job failed on the worker: {detail}", reference=f"job-{job_id}" if job_id else None)
