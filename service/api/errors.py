"""Every error answer is ``{"error": code, "detail": text}``: domain errors, FastAPI's own 404,
405 and 422, a busy or unreachable database (503 + Retry-After), and any bug (500 ``internal``
with a reference id that the server's log repeats)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from service import logs
from service.errors import LabelqError

log = logging.getLogger("labelq.api")
RETRY_AFTER_S = "2"

_HTTP_CODES = {
    400: "bad_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


def envelope(
    status: int, code: str, detail: Any, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "error": code,
        "detail": jsonable_encoder(detail),
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _unavailable(detail: str) -> JSONResponse:
    return envelope(503, "unavailable", detail, {"Retry-After": RETRY_AFTER_S})


def _is_transient(exc: DBAPIError) -> bool:
    """Lock timeouts, dropped connections, serialization failures: worth a retry."""
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return sqlstate.startswith(("40", "08", "53", "57"))


def install(app: FastAPI) -> None:
    @app.exception_handler(LabelqError)
    async def _domain(_: Request, exc: LabelqError) -> JSONResponse:
        headers = {"Retry-After": RETRY_AFTER_S} if exc.status_code == 503 else None
        if exc.status_code >= 500:
            log.error("%s: %s %s", exc.code, exc.detail, exc.extra)
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in exc.errors()]
        return envelope(422, "validation_error", errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        cause = exc.__cause__  # FastAPI wraps errors raised while it parses a body (the body limit)
        if isinstance(cause, LabelqError):
            return await _domain(request, cause)
        code = _HTTP_CODES.get(exc.status_code, "error")
        return envelope(exc.status_code, code, exc.detail, dict(exc.headers or {}))

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free: %s", exc)
        return _unavailable("the database is busy (no connection free); retry shortly")

    @app.exception_handler(DBAPIError)
    async def _db(request: Request, exc: DBAPIError) -> JSONResponse:
        if _is_transient(exc):
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
            return _unavailable(
                f"the database is busy or unreachable ({type(exc.orig).__name__}); retry shortly"
            )
        return _internal(request, exc)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _internal(request: Request, exc: Exception) -> JSONResponse:
    ref = logs.request_id() or uuid.uuid4().hex[:12]  # the request id: the log lines carry it too
    log.error("internal error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    return envelope(
        500, "internal", "internal server error; quote the reference to the operator", reference=ref
    )
