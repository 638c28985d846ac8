"""Property-based tests of every operation in the served OpenAPI schema (schemathesis): generated
requests, with the admin key and with a project key, never get a 5xx and every answer matches
the schema the API declares. Bounded: a few examples per operation, derandomized for CI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.app import create_app
from service.settings import configure
from tests.service.conftest import configured, in_process_worker
from tests.services import database

ADMIN = "schemathesis-admin-key"
EXAMPLES = 30


@dataclass
class Api:
    app: FastAPI
    keys: dict[str, str]


def _populate(client: TestClient) -> str:
    """A project with pools and a ready checkpoint, made while a worker runs; returns its key."""
    from tests.service.factories import ARCH_ARGS, npz_bytes, tiny_arrays, weights_bytes

    admin = {"Authorization": f"Bearer {ADMIN}"}
    body = {"name": "fuzz", "classes": ["a", "b", "c"], "input_shape": [4], "budget": 10}
    project = client.post("/projects", json=body, headers=admin).json()
    key = {"Authorization": f"Bearer {project['api_key']}"}
    for domain, seed in (("source", 1), ("target", 2)):
        res = client.post(
            f"/projects/{project['id']}/pools",
            files={"file": ("p.npz", npz_bytes(**tiny_arrays(12, seed, f"{domain}-")))},
            data={"domain": domain, "wait_seconds": "30"},
            headers=key,
        )
        assert res.status_code == 201, res.text
    import json

    res = client.post(
        f"/projects/{project['id']}/checkpoints",
        files={"file": ("w.safetensors", weights_bytes())},
        data={"architecture": "mlp", "arch_args": json.dumps(ARCH_ARGS), "wait_seconds": "30"},
        headers=key,
    )
    assert res.status_code == 201, res.text
    return str(project["api_key"])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp: Path = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    with database(request.param, str(tmp)) as url:
        settings_ = configured(tmp, url, admin_key=ADMIN, max_wait_seconds=30)
        app = create_app()
        with (
            in_process_worker(),
            TestClient(app) as client,
        ):
            project_key = _populate(client)
        # the worker is gone: generated trainings and simulations queue, they never run; waits are short
        settings_.max_wait_seconds = 0.2
        yield Api(app, {"admin": ADMIN, "project": project_key})
        configure(None)


def test_no_server_errors_and_answers_match_the_schema(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "every operation of the served schema is exercised"
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            checks: list[Any] = [response_schema_conformance]
            if case.operation.path != "/readyz":  # its documented 503 is right here: no worker runs
                checks.append(not_a_server_error)
            for key in api.keys.values():  # the admin key, then the project's
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {key}"},
                    checks=checks,
                )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # one operation's failure must not hide the others'
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
