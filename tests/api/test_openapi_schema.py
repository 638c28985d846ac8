"""The served OpenAPI schema is the committed ``openapi.json``, shaped for generated clients: short
operation ids, binary upload fields, a bearer security scheme, the error envelope on every error,
tags per resource; /docs and /redoc load their assets from the service itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import configure
from tests.service.conftest import configured

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"
OPERATIONS = {
    ("post", "/projects"): "create_project",
    ("post", "/projects/{project_id}/pools"): "upload_pool",
    ("post", "/projects/{project_id}/checkpoints"): "upload_checkpoint",
    ("post", "/query-batch"): "query_batch",
    ("post", "/labels"): "submit_labels",
    ("post", "/projects/{project_id}/train"): "train_project",
    ("get", "/projects/{project_id}/metrics"): "get_project_metrics",
    ("post", "/projects/{project_id}/simulate"): "simulate_project",
    ("get", "/checkpoints/{checkpoint_id}/weights"): "download_weights",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("openapi")
    configured(folder, f"sqlite:///{folder}/db.sqlite3")
    yield TestClient(create_app())
    configure(None)


@pytest.fixture(scope="module")
def schema(client: TestClient) -> dict[str, Any]:
    res = client.get("/openapi.json")
    assert res.status_code == 200
    return res.json()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in schema["paths"].items() for m, op in ops.items()]


def test_the_served_schema_is_the_committed_one(schema: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert schema == committed, "the API changed: run `make openapi` and commit openapi.json"


def test_operation_ids_are_short_stable_names(schema: dict[str, Any]) -> None:
    ops = _operations(schema)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) and len(i) <= 24 for i in ids), ids
    for (method, path), wanted in OPERATIONS.items():
        assert schema["paths"][path][method]["operationId"] == wanted


def test_upload_fields_are_binary(schema: dict[str, Any]) -> None:
    for name in ("Body_upload_pool", "Body_upload_checkpoint"):
        field = schema["components"]["schemas"][name]["properties"]["file"]
        field = next(
            f for f in field.get("anyOf", [field]) if f.get("type") == "string"
        )  # optional: or a uri
        assert field["type"] == "string" and field["format"] == "binary"
    weights = schema["paths"]["/checkpoints/{checkpoint_id}/weights"]["get"]["responses"]["200"]
    assert weights["content"]["application/octet-stream"]["schema"]["format"] == "binary"


def test_keyed_operations_use_the_bearer_scheme(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a project key or the admin key",
    }
    open_ops = {"healthz", "readyz", "list_strategies", "list_objectives", "list_networks"}
    for _, _, op in _operations(schema):
        params = [p["name"].lower() for p in op.get("parameters", [])]
        assert "authorization" not in params, op["operationId"]  # no header parameter any more
        if op["operationId"] in open_ops:
            assert "security" not in op and "401" not in op["responses"]
        elif op["operationId"].startswith("ls_"):  # Label Studio's ML backend: basic auth, or a bearer
            assert op["security"] == [{"HTTPBasic": []}, {"HTTPBearer": []}], op["operationId"]
            assert {"401", "403"} <= set(op["responses"]), op["operationId"]
        else:
            assert op["security"] == [{"HTTPBearer": []}], op["operationId"]
            assert {"401", "403"} <= set(op["responses"]), op["operationId"]


def test_every_error_answer_is_the_envelope(schema: dict[str, Any]) -> None:
    envelope = {"$ref": "#/components/schemas/ErrorOut"}
    for _, _, op in _operations(schema):
        errors = {s: r for s, r in op["responses"].items() if int(s) >= 400}
        assert {"404", "422", "500", "503"} <= set(errors), op["operationId"]
        for status, answer in errors.items():
            if (op["operationId"], status) == ("readyz", "503"):
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ReadyOut")  # readiness answers its checks, not an error
                continue
            assert answer["content"]["application/json"]["schema"] == envelope, (op["operationId"], status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    weights = schema["paths"]["/checkpoints/{checkpoint_id}/weights"]["get"]["responses"]
    assert "409" in weights  # a checkpoint that is not ready has no weights


def test_every_operation_has_a_tag(schema: dict[str, Any]) -> None:
    for _, path, op in _operations(schema):
        assert len(op.get("tags", [])) == 1, path


def test_a_missing_or_foreign_scheme_key_is_our_401(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope"}):
        res = client.get("/projects", headers=headers)
        assert res.status_code == 401, headers
        assert res.json()["error"] == "unauthorized"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_their_assets_locally(client: TestClient, page: str) -> None:
    html = client.get(page).text
    assert "cdn." not in html and "https://" not in html.replace("https://fonts", "")
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html)
    assert assets, html
    for asset in assets:
        res = client.get(asset)
        assert res.status_code == 200 and len(res.content) > 10_000, asset
