"""Plugins on the real stack (tests/e2e/stack.py): each worker process publishes what it can run
when it starts, so a worker without the example plugin takes its names out of the API, and one
with it puts them back and runs them (its pool processes loaded the plugin too)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.loop import CLASSES
from tests.e2e.stack import Stack, project_client

LABEL = "labelq-plugin-example 0.1.0"


def _strategies(stack: Stack) -> dict[str, dict]:  # type: ignore[type-arg]
    return {e["name"]: e for e in httpx.get(f"{stack.url}/strategies", timeout=30).json()}


@pytest.mark.slow
def test_the_workers_catalog_follows_the_plugins_they_have(stack: Stack) -> None:
    stack.restart_workers(1, LABELQ_DISABLED_PLUGINS='["labelq-plugin-example"]')
    assert "example_ratio" not in _strategies(stack) and "entropy" in _strategies(stack)
    http = project_client(stack.url, budget=10)
    pid = http.project_id  # type: ignore[attr-defined]
    res = http.post("/query-batch", json={"project_id": pid, "budget": 3, "strategy": "example_ratio"})
    assert res.status_code == 422 and "unknown strategy" in res.text, res.text

    stack.restart_workers(1, LABELQ_DISABLED_PLUGINS="[]")
    assert _strategies(stack)["example_ratio"]["plugin"] == LABEL
    args = {"input_shape": [2], "num_classes": len(CLASSES), "width": 4}
    body = {"architecture": "example_linear", "from_scratch": True, "arch_args": args, "epochs": 1}
    job = http.post(f"/projects/{pid}/train", json={**body, "wait_seconds": 120}).json()["job"]
    assert job["status"] == "succeeded", job
    res = http.post(
        "/query-batch",
        json={"project_id": pid, "budget": 3, "strategy": "example_ratio", "wait_seconds": 120},
    )
    rnd = res.json()
    assert res.status_code == 201 and rnd["status"] == "ready", res.text
    assert len(rnd["selections"]) == 3 and all(0 <= s["score"] <= 1 for s in rnd["selections"])
