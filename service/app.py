"""The FastAPI application: routers, the error handler, the upload size guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from service.api import (
    catalog,
    checkpoints,
    errors,
    health,
    jobs,
    labels,
    pools,
    projects,
    rounds,
    simulate,
    training,
)
from service.errors import PayloadTooLarge
from service.settings import get_settings
from service.sweeper import Sweeper

DESCRIPTION = """Active learning and active domain adaptation as a service.

Upload pools and a checkpoint, ask `POST /query-batch` which items to label, send the labels to
`POST /labels`, retrain with `POST /projects/{id}/train`. Authenticate with
`Authorization: Bearer <key>`. Errors are `{"error": code, "detail": text}`.
"""


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Every API process sweeps too: lost jobs are reaped and unsent ones relayed even when no
    worker is up to do it."""
    sweeper = Sweeper().start()
    try:
        yield
    finally:
        sweeper.stop()


def create_app() -> FastAPI:
    app = FastAPI(title="labelq", version="0.1.0", description=DESCRIPTION, lifespan=_lifespan)
    for module in (health, projects, pools, checkpoints, rounds, labels, training, simulate, jobs, catalog):
        app.include_router(module.router)

    errors.install(app)

    @app.middleware("http")
    async def _size_guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        limit = get_settings().max_upload_bytes + 1024 * 1024  # room for multipart framing
        if length and length.isdigit() and int(length) > limit:
            return JSONResponse(
                PayloadTooLarge(f"request body exceeds {limit} bytes").body(), status_code=413
            )
        return await call_next(request)

    return app
