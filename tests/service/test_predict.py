"""POST /checkpoints/{id}/predict against softmax computed here from the checkpoint's own weights."""

from __future__ import annotations

import numpy as np
import torch
from safetensors.torch import load as load_safetensors

from models.networks import build_network
from tests.service.conftest import Stack
from tests.service.factories import ARCH_ARGS, make_project, ready_project, tiny_arrays


def _probs(stack: Stack, ckpt_id: int, key: dict[str, str]) -> torch.Tensor:
    """Class probabilities of ready_project's 12 target items (rows in order) by hand."""
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(
        load_safetensors(stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content)
    )
    with torch.no_grad():
        return torch.softmax(net.eval()(torch.from_numpy(tiny_arrays(12, 2, "")["x"]))[0].double(), -1)


def _predict(stack: Stack, ckpt_id: int, key: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return stack.client.post(
        f"/checkpoints/{ckpt_id}/predict", json={"wait_seconds": 30, **body}, headers=key
    )


def test_predictions_for_named_items_in_the_order_asked(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    probs = _probs(stack, ckpt_id, key)
    names = ["target-train-007", "target-train-002", "target-train-011"]
    res = _predict(stack, ckpt_id, key, external_ids=names, top_k=2)
    assert res.status_code == 200, res.text
    answer = res.json()
    assert answer["total"] == 3 and answer["job"]["status"] == "succeeded"
    assert [p["external_id"] for p in answer["predictions"]] == names
    for p in answer["predictions"]:
        row = probs[int(p["external_id"][-3:])]
        order = sorted(range(3), key=lambda c: (-float(row[c]), c))[:2]
        assert p["label"] == order[0] and [t["label"] for t in p["top"]] == order
        assert np.allclose([t["probability"] for t in p["top"]], row[order].numpy(), atol=1e-5)
    by_id = _predict(stack, ckpt_id, key, item_ids=[p["item_id"] for p in answer["predictions"]], top_k=2)
    assert by_id.json()["predictions"] == answer["predictions"]


def test_a_page_of_a_pool_by_row(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    pools = stack.client.get(f"/projects/{pid}/pools", headers=key).json()
    (target,) = [p for p in pools if p["domain"] == "target" and p["split"] == "train"]
    res = _predict(stack, ckpt_id, key, pool_id=target["id"], offset=10, limit=5)
    answer = res.json()
    assert answer["total"] == 12 and [p["external_id"] for p in answer["predictions"]] == [
        "target-train-010",
        "target-train-011",
    ]
    probs = _probs(stack, ckpt_id, key)
    assert [p["label"] for p in answer["predictions"]] == probs[10:12].argmax(-1).tolist()
    assert all(len(p["top"]) == 3 for p in answer["predictions"])


def test_bad_requests_change_nothing(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    jobs_before = stack.client.get(f"/projects/{pid}/jobs", headers=key).json()["total"]
    res = _predict(stack, ckpt_id, key, external_ids=["target-train-001", "nope", "nada"])
    assert res.status_code == 404 and "nope, nada" in res.json()["detail"]
    for body in ({}, {"item_ids": [1], "pool_id": 1}, {"external_ids": ["a"], "top_k": 0}):
        assert _predict(stack, ckpt_id, key, **body).status_code == 422, body
    _, other = make_project(stack)
    assert _predict(stack, ckpt_id, other, external_ids=["target-train-001"]).status_code == 403
    assert _predict(stack, 2_000_000_000, key, item_ids=[1]).status_code == 404
    assert stack.client.get(f"/projects/{pid}/jobs", headers=key).json()["total"] == jobs_before
