"""Liveness and readiness (database and broker reachable, a worker seen recently)."""

from __future__ import annotations

from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from service.api.strict import api_router
from service.db.engine import session_scope
from service.queue import get_celery
from service.sweeper import worker_silence_s, workers_seen

router = api_router("health")


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    """``ok`` or ``error: <why>`` per dependency; status ``ok`` only when all are."""

    status: Literal["ok", "unavailable"]
    database: str
    broker: str
    workers: str


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """Liveness: the API process answers (nothing else is checked)."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "a dependency is down (the same body)"}},
)
def readyz() -> JSONResponse:
    """Readiness: the database and the broker answer and a worker was seen recently."""
    checks: dict[str, str] = {}
    try:
        with session_scope() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        with get_celery().connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {type(exc).__name__}"
    try:
        seen = workers_seen(worker_silence_s())
        checks["workers"] = "ok" if seen else f"error: no worker seen in the last {worker_silence_s():g} s"
    except Exception as exc:
        checks["workers"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503)
