"""Logging for the API and the workers: one JSON object per line (``LABELQ_LOG_FORMAT=json``, the
default) or plain text, every record carrying the request id and job id of the work it belongs to.

The API takes the request id from the ``X-Request-ID`` header (or makes one, asgi-correlation-id)
and answers it in the same header; a job keeps the id of the request that made it
(``jobs.request_id``) and its worker logs under it, so a slow round can be traced from the
request's access line to the worker's lines.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgi_correlation_id.context import correlation_id

HEADER = "X-Request-ID"
JOB_ID: ContextVar[int | None] = ContextVar("labelq_job_id", default=None)
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def valid_request_id(value: str) -> bool:
    """A client's X-Request-ID is kept when it is a short token; otherwise the API makes one."""
    return bool(_VALID.fullmatch(value))


def request_id() -> str | None:
    """The request id of the work in progress (a request, or a job a worker runs)."""
    return correlation_id.get()


@contextmanager
def job_context(job_id: int, request: str | None) -> Iterator[None]:
    """Log as part of job ``job_id`` made by request ``request`` (and give jobs it makes the same
    request id)."""
    tokens = JOB_ID.set(job_id), correlation_id.set(request)
    try:
        yield
    finally:
        JOB_ID.reset(tokens[0])
        correlation_id.reset(tokens[1])


class ContextFilter(logging.Filter):
    """Puts ``request_id`` and ``job_id`` on every record (None outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get()
        record.job_id = JOB_ID.get()
        return True


_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job_id)s %(process)d"


def config(fmt: str, level: str | int) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the root logger (uvicorn's and Celery's loggers
    propagate to it)."""
    if fmt == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper() if isinstance(level, str) else level},
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure(fmt: str, level: str | int) -> None:
    logging.config.dictConfig(config(fmt, level))
