"""Every strategy through POST /query-batch and every objective through POST /train."""

from __future__ import annotations

import math
import time

import pytest
from safetensors.torch import load_file

from models.acquisition import get_strategy, list_strategies
from models.objectives import list_objectives
from models.objectives.base import get_objective
from models.params import validated
from models.plugins import load_plugins
from tests.service.conftest import Stack
from tests.service.factories import query, ready_project

load_plugins()  # the example plugin's strategy goes through the API like the built-ins
EXTRA_PARAMS = {"expected_gradnorm": {"scope": "full"}, "entropy_gradnorm": {"scope": "last_layer"}}


def _trained(stack: Stack, pid: int, key: dict[str, str], objective: str = "ce", **params) -> dict:  # type: ignore[no-untyped-def]
    body = {"objective": objective, "params": params, "epochs": 2, "batch_size": 8, "wait_seconds": 60}
    res = stack.client.post(f"/projects/{pid}/train", json=body, headers=key)
    assert res.status_code == 200, res.text
    assert res.json()["job"]["status"] == "succeeded", res.json()["job"]
    return res.json()["job"]["result"]


@pytest.fixture(scope="module")
def trained_project(stack: Stack) -> tuple[int, dict[str, str]]:
    pid, key, _ = ready_project(stack, budget=200, n_target=15)
    _trained(stack, pid, key)  # a second version, so cod has a previous checkpoint
    return pid, key


@pytest.mark.parametrize("strategy", list_strategies())
def test_every_strategy_selects_through_the_api(stack: Stack, trained_project, strategy: str) -> None:  # type: ignore[no-untyped-def]
    pid, key = trained_project
    res = query(stack, pid, key, 3, strategy=strategy, params=EXTRA_PARAMS.get(strategy, {}), seed=4)
    assert res.status_code == 201, res.text
    rnd = res.json()
    assert rnd["status"] == "ready", rnd["error"]
    assert rnd["strategy"] == strategy and rnd["seed"] == 4 and rnd["checkpoint_sha256"]
    assert rnd["params"] == validated(get_strategy(strategy).params, EXTRA_PARAMS.get(strategy, {}))
    sels = rnd["selections"]
    assert [s["rank"] for s in sels] == [0, 1, 2] and len({s["item_id"] for s in sels}) == 3
    assert all(math.isfinite(s["score"]) for s in sels)
    assert all(math.isfinite(v) for s in sels for v in s["components"].values())
    stack.client.post(f"/rounds/{rnd['id']}/cancel", headers=key)


def test_outputs_are_computed_once_per_checkpoint_and_pool(stack: Stack, trained_project) -> None:  # type: ignore[no-untyped-def]
    pid, key = trained_project
    first = query(stack, pid, key, 2, strategy="entropy").json()
    cached = sorted((stack.settings.blob_dir / "outputs" / f"checkpoint-{first['checkpoint_id']}").glob("*"))
    assert cached, "the round's forward pass is kept"
    stamps = [p.stat().st_mtime_ns for p in cached]
    second = query(stack, pid, key, 2, strategy="margin").json()
    assert second["checkpoint_id"] == first["checkpoint_id"]
    assert [p.stat().st_mtime_ns for p in cached] == stamps, "a second strategy reuses the outputs"
    for rnd in (first, second):
        stack.client.post(f"/rounds/{rnd['id']}/cancel", headers=key)


def test_logits_only_pass_is_upgraded_once_when_features_are_needed(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack, budget=20, n_target=15)
    blob = stack.settings.blob_dir / "outputs" / f"checkpoint-{ckpt_id}"

    def cached_widths() -> list[tuple[int, int]]:
        files = sorted(blob.glob("*.safetensors"))
        assert files, "the round's forward pass is kept"
        return [(load_file(f)["logits"].shape[1], load_file(f)["features"].shape[1]) for f in files]

    def round_with(strategy: str) -> None:
        rnd = query(stack, pid, key, 2, strategy=strategy).json()
        assert rnd["status"] == "ready" and rnd["checkpoint_id"] == ckpt_id, rnd
        stack.client.post(f"/rounds/{rnd['id']}/cancel", headers=key)

    round_with("entropy")
    assert all(f == 0 and c > 0 for c, f in cached_widths()), "entropy keeps the logits only"
    stamps = [p.stat().st_mtime_ns for p in sorted(blob.glob("*"))]
    round_with("margin")
    assert [p.stat().st_mtime_ns for p in sorted(blob.glob("*"))] == stamps, "logits are reused"
    round_with("coreset")
    assert all(f > 0 for _, f in cached_widths()), "coreset needs features: one more pass, kept"
    stamps = [p.stat().st_mtime_ns for p in sorted(blob.glob("*"))]
    round_with("badge")
    round_with("entropy")
    assert [p.stat().st_mtime_ns for p in sorted(blob.glob("*"))] == stamps, "full outputs serve all"


@pytest.mark.parametrize("objective", list_objectives())
def test_every_objective_trains_through_the_api(stack: Stack, objective: str) -> None:
    pid, key, ckpt_id = ready_project(stack, budget=5)
    result = _trained(stack, pid, key, objective)
    ckpt = stack.client.get(f"/checkpoints/{result['checkpoint_id']}", headers=key).json()
    assert (ckpt["objective"], ckpt["parent_id"], ckpt["params"]) == (
        objective,
        ckpt_id,
        validated(get_objective(objective).params, {}),
    )
    assert math.isfinite(ckpt["history"][-1]["loss"]) and "eval_accuracy" in ckpt["metrics"]
    if objective in ("gh", "ghpp"):
        assert 0.0 <= ckpt["metrics"]["gradient_conflict_rate"] <= 1.0


def test_objective_state_continues_into_the_next_training(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=5)
    first = _trained(stack, pid, key, "tod")
    second = _trained(stack, pid, key, "tod")
    third = _trained(stack, pid, key, "ce")
    assert (first["objective_state_resumed"], second["objective_state_resumed"]) == (False, True)
    assert third["objective_state_resumed"] is False


def test_training_can_be_cancelled(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=5)
    body = {"objective": "ce", "epochs": 1000, "batch_size": 2, "wait_seconds": 0}
    job = stack.client.post(f"/projects/{pid}/train", json=body, headers=key).json()["job"]
    deadline = time.monotonic() + 30
    while stack.client.get(f"/jobs/{job['id']}", headers=key).json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert stack.client.post(f"/jobs/{job['id']}/cancel", headers=key).status_code == 200
    while (got := stack.client.get(f"/jobs/{job['id']}", headers=key).json())["status"] == "running":
        assert time.monotonic() < deadline, "a cancelled training stops at its next step"
        time.sleep(0.1)
    assert got["status"] == "cancelled" and 0.0 < got["progress"] < 1.0
    versions = [c["version"] for c in stack.client.get(f"/projects/{pid}/checkpoints", headers=key).json()]
    assert versions == [1], "a cancelled training keeps no checkpoint"
    assert stack.client.post(f"/jobs/{job['id']}/cancel", headers=key).status_code == 409
