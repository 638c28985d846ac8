"""The served OpenAPI schema, shaped for generated clients.

- Operation ids are the handlers' names (``create_project``, ``upload_pool``, ``query_batch``,
  ``submit_labels``, ...): short and stable, so generated modules and functions are too.
- Upload fields are ``{"type": "string", "format": "binary"}``: FastAPI describes ``UploadFile`` with
  ``contentMediaType`` only, which generators (openapi-python-client) type as text.
- Every operation declares the error envelope ``ErrorOut`` for every error it can give: FastAPI's own
  422 model (``HTTPValidationError``) is replaced, and 404, 408, 413, 500 and 503 (401 and 403 where
  the operation takes a key) are declared wherever an operation does not say more itself.
- Authentication is the ``HTTPBearer`` security scheme of :mod:`service.api.deps`.

The schema is committed as ``openapi.json`` (``make openapi`` rewrites it; a test fails when the
served schema drifts from it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

BINARY = {"type": "string", "format": "binary"}
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


AUTH = ("401", "403")


def operation_id(route: APIRoute) -> str:
    return route.name


def _envelope(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _binary_uploads(node: Any) -> None:
    """Give every ``contentMediaType`` string (an upload field) ``format: binary``, recursively."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "contentMediaType" in node:
            node["format"] = "binary"
        for value in node.values():
            _binary_uploads(value)
    elif isinstance(node, list):
        for value in node:
            _binary_uploads(value)


def build_schema(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for path in schema["paths"].values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON.items():
                if status in AUTH and "security" not in operation:
                    continue  # an open operation (health, catalog) never answers 401/403
                declared = responses.get(status)
                if declared is None or status == "422":
                    responses[status] = _envelope((declared or {}).get("description") or description)
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    _binary_uploads(components)
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_schema(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def main() -> None:
    """``python -m service.api.openapi [PATH]``: write the served schema (default: stdout)."""
    import json
    import sys

    from service.app import create_app

    text = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
