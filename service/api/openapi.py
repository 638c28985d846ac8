"""The served OpenAPI schema declares the error envelope for every error an operation can give:
FastAPI's own 422 model (``HTTPValidationError``) is replaced by ``ErrorOut``, and 401, 403, 404,
408, 413, 500 and 503 are declared wherever an operation does not say more itself."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
COMMON = {
    "401": "no or an unknown API key",
    "403": "the key may not do this",
    "404": "no such resource (or not this key's)",
    "408": "the request body stalled",
    "413": "the request body is too large",
    "422": "the request breaks the schema",
    "500": "a fault of the service; quote the reference",
    "503": "the database or broker is busy or down; retry after Retry-After",
}


def _envelope(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            for path in schema["paths"].values():
                for operation in path.values():
                    responses = operation.setdefault("responses", {})
                    for status, description in COMMON.items():
                        declared = responses.get(status)
                        if declared is None or status == "422":
                            responses[status] = _envelope((declared or {}).get("description") or description)
            components = schema.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                components.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
