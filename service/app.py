"""The FastAPI application: routers, error handlers, the request body limit, the sweeper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from service import logs
from service.api import (
    catalog,
    checkpoints,
    chunked,
    errors,
    health,
    items,
    jobs,
    label_studio,
    labels,
    metrics,
    openapi,
    pools,
    predict,
    projects,
    rounds,
    simulate,
    training,
)
from service.api.limits import BodyLimit
from service.settings import get_settings
from service.sweeper import Sweeper

DESCRIPTION = """Active learning and active domain adaptation as a service.

Upload pools and a checkpoint, ask `POST /query-batch` which items to label, send the labels to
`POST /labels`, retrain with `POST /projects/{id}/train`. Authenticate with
`Authorization: Bearer <key>`. Errors are `{"error": code, "detail": text}`. Every answer carries
an `X-Request-ID` header (the client's own, if it sent a short token): the jobs a request makes and
their workers' log lines carry it. A dashboard is at `/ui/`.
"""


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Every API process sweeps too: lost jobs are reaped and unsent ones relayed even when no
    worker is up to do it."""
    settings = get_settings()
    # never more threads wanting a connection than the pool holds: the rest wait on the event loop
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(
        4, min(limiter.total_tokens, settings.db_pool_size + settings.db_max_overflow - 5)
    )
    sweeper = Sweeper().start()
    try:
        yield
    finally:
        sweeper.stop()


def create_app() -> FastAPI:
    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from the package (no CDN)
    app = FastAPIOffline(
        title="labelq",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=_lifespan,
        generate_unique_id_function=openapi.operation_id,
        static_url="/docs-assets",
    )
    for module in (
        health,
        projects,
        pools,
        items,
        checkpoints,
        predict,
        rounds,
        labels,
        training,
        simulate,
        jobs,
        catalog,
        label_studio,
        chunked,
    ):
        app.include_router(module.router)
    # the dashboard: static files in the package, a client of the API like any other
    app.mount("/ui", StaticFiles(directory=Path(__file__).parent / "ui", html=True), name="ui")

    metrics.install(app)
    errors.install(app)
    openapi.install(app)

    settings = get_settings
    app.add_middleware(
        BodyLimit,
        max_bytes=lambda: settings().max_upload_bytes,
        max_json_bytes=lambda: settings().max_json_bytes,
        timeout_s=lambda: settings().body_read_timeout_seconds,
    )
    # outermost: every log line of the request, and the jobs it makes, carry its X-Request-ID
    app.add_middleware(CorrelationIdMiddleware, header_name=logs.HEADER, validator=logs.valid_request_id)
    return app
