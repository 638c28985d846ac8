"""A plugin through the API (the example plugin, installed by `make install`): listed with its
schema, its network holds uploaded weights, its strategy picks what a hand computation picks;
bad parameters are refused by the published schema; a catalog published without it (the plugin
disabled or uninstalled on the workers) refuses its names; no catalog at all is a 503."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.catalog import catalog
from models.checkpoint import state_to_bytes
from service import catalog as published
from tests.service.conftest import Stack
from tests.service.factories import (
    CLASSES,
    SHAPE,
    make_project,
    query,
    tiny_arrays,
    upload_checkpoint,
    upload_pool,
)
from workers.catalog import publish

LABEL = "labelq-plugin-example 0.1.0"
Project = tuple[int, dict[str, str]]
ARGS = {"input_shape": SHAPE, "num_classes": len(CLASSES), "width": 5}


def _weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    shapes = {
        "hidden.weight": (5, SHAPE[0]),
        "hidden.bias": (5,),
        "classifier.weight": (3, 5),
        "classifier.bias": (3,),
    }
    return {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}


def _by_hand(w: dict[str, np.ndarray], x: np.ndarray, temperature: float) -> np.ndarray:
    """example_ratio's score: p(2)/p(1) of softmax(z / T), z from the weights in float64."""
    h = np.maximum(x.astype(np.float64) @ w["hidden.weight"].T + w["hidden.bias"], 0)
    z = (h @ w["classifier.weight"].T + w["classifier.bias"]) / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    top = np.sort(p, axis=1)
    return top[:, -2] / top[:, -1]


@pytest.fixture
def plugin_project(stack: Stack) -> Project:
    project, key = make_project(stack, budget=20)
    pid = project["id"]
    upload_pool(stack, pid, key, domain="target", n=16, seed=2, labeled=False)
    data = state_to_bytes({k: torch.from_numpy(v) for k, v in _weights().items()})
    res = upload_checkpoint(stack, pid, key, data, arch_args=ARGS, architecture="example_linear")
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready", res.text
    return pid, key


def test_the_catalog_lists_the_plugin_with_its_schema(stack: Stack) -> None:
    strategies = {e["name"]: e for e in stack.client.get("/strategies").json()}
    networks = {e["name"]: e for e in stack.client.get("/networks").json()}
    assert strategies["example_ratio"]["plugin"] == LABEL and strategies["entropy"]["plugin"] is None
    assert strategies["example_ratio"]["params_schema"]["properties"]["temperature"]["default"] == 1.0
    assert networks["example_linear"]["plugin"] == LABEL
    assert "resnet50" in networks["torchvision/<name>"]["extra"]["members"]


def test_its_strategy_on_its_network_picks_what_is_computed_by_hand(stack: Stack, plugin_project) -> None:  # type: ignore[no-untyped-def]
    pid, key = plugin_project
    res = query(stack, pid, key, 4, strategy="example_ratio", params={"temperature": 2.0})
    assert res.status_code == 201 and res.json()["status"] == "ready", res.text
    rnd = res.json()
    arrays = tiny_arrays(16, 2, "target-train-")
    score = _by_hand(_weights(), arrays["x"], 2.0)
    order = np.argsort(-score, kind="stable")[:4]  # ties: the lower pool index
    assert [s["external_id"] for s in rnd["selections"]] == [str(arrays["ids"][i]) for i in order]
    assert [s["score"] for s in rnd["selections"]] == pytest.approx(score[order].tolist(), rel=1e-5)
    assert rnd["params"] == {"temperature": 2.0}


def test_bad_parameters_are_refused_by_the_schema_and_start_nothing(stack: Stack, plugin_project) -> None:  # type: ignore[no-untyped-def]
    pid, key = plugin_project
    for params, msg in (
        ({"temperature": 0}, "less than or equal to the minimum"),
        ({"t": 1}, "unknown parameters"),
    ):
        res = query(stack, pid, key, 2, strategy="example_ratio", params=params)
        assert res.status_code == 422, res.text
        assert res.json()["error"] == "validation_error" and msg in res.text, res.text
    rounds = stack.client.get(f"/projects/{pid}/jobs", params={"kind": "score_round"}, headers=key).json()
    assert (
        rounds["total"] == 0
        and stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 0
    )


def test_a_catalog_published_without_the_plugin_refuses_its_names(
    stack: Stack, plugin_project: Project
) -> None:
    pid, key = plugin_project
    published.publish(catalog(disabled=["labelq-plugin-example"]), worker="plain-worker", version="0")
    try:
        res = query(stack, pid, key, 2, strategy="example_ratio")
        assert res.status_code == 422 and "unknown strategy 'example_ratio'" in res.text, res.text
        body = {"architecture": "example_linear", "from_scratch": True, "arch_args": ARGS}
        res = stack.client.post(f"/projects/{pid}/train", json=body, headers=key)
        assert res.status_code == 422 and "unknown architecture 'example_linear'" in res.text, res.text
        assert "example_ratio" not in {e["name"] for e in stack.client.get("/strategies").json()}
        assert query(stack, pid, key, 2, strategy="entropy").status_code == 201  # the rest still runs
    finally:
        publish("test-worker")


def test_without_a_published_catalog_names_cannot_be_checked_503(stack: Stack) -> None:
    published.publish([], worker="nobody", version="0")
    try:
        res = stack.client.get("/strategies")
        assert res.status_code == 503 and res.json()["error"] == "unavailable", res.text
        body = {"name": "t", "classes": CLASSES, "input_shape": SHAPE, "budget": 3}
        assert stack.client.post("/projects", json=body, headers=stack.admin).status_code == 503
    finally:
        publish("test-worker")
    assert stack.client.get("/strategies").status_code == 200
