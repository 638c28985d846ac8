"""Liveness and readiness (database and broker reachable, a worker seen recently)."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.strict import api_router
from service.db.engine import session_scope
from service.queue import get_celery
from service.sweeper import worker_silence_s, workers_seen

router = api_router("health")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is down"}})
def readyz() -> JSONResponse:
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
