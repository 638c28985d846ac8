"""After each training: stop-set agreement with the parent (kappa), label-free accuracy estimates
and the project's stopping advice, checked against the test's own computation from the weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import cohen_kappa_score

from models.checkpoint import state_from_bytes
from models.networks import build_network
from service.db.engine import session_scope
from service.db.tables import Item
from tests.service.conftest import Stack
from tests.service.factories import ARCH_ARGS, ready_project, tiny_arrays
from workers.label_free import stop_set


def _train(stack: Stack, pid: int, key: dict[str, str]) -> dict:  # type: ignore[type-arg]
    body = {"objective": "ce", "epochs": 5, "batch_size": 8, "lr": 0.1, "wait_seconds": 60}
    job = stack.client.post(f"/projects/{pid}/train", json=body, headers=key).json()["job"]
    assert job["status"] == "succeeded", job
    return stack.client.get(f"/checkpoints/{job['result']['checkpoint_id']}", headers=key).json()


def _logits(stack: Stack, ckpt_id: int, key: dict[str, str], x: np.ndarray) -> np.ndarray:
    blob = stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(state_from_bytes(blob))
    with torch.no_grad():
        return net.eval()(torch.from_numpy(x))[0].double().numpy()


def _neg_entropy(z: np.ndarray) -> np.ndarray:
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return (p * np.log(p)).sum(1)


def test_training_records_kappa_estimates_and_advice(stack: Stack) -> None:
    pid, key, first = ready_project(stack)  # target pool: tiny_arrays(12, seed 2), source (30, seed 1)
    second = _train(stack, pid, key)
    third = _train(stack, pid, key)
    target = tiny_arrays(12, 2, "")["x"]
    source = tiny_arrays(30, 1, "")
    for ckpt, parent in ((second, first), (third, second["id"])):
        m = ckpt["metrics"]
        assert m["stop_items"] == 12  # the whole target pool: it is smaller than the stop set
        z, z_parent = _logits(stack, ckpt["id"], key, target), _logits(stack, parent, key, target)
        expected = cohen_kappa_score(z.argmax(1), z_parent.argmax(1))
        assert m["stop_kappa"] == pytest.approx(1.0 if math.isnan(expected) else expected, abs=1e-9)
        p = np.exp(z - z.max(1, keepdims=True))
        assert m["average_confidence"] == pytest.approx((p / p.sum(1, keepdims=True)).max(1).mean())
        # ATC on the source the network trained on (no source eval split): k = round(acc * 30)
        zs = _logits(stack, ckpt["id"], key, source["x"])
        k = round(float((zs.argmax(1) == source["y"]).mean()) * 30)
        t = -math.inf if k == 30 else np.sort(_neg_entropy(zs))[::-1][k]
        assert m["atc_calibration"] == "source train"
        assert m["atc_estimate"] == pytest.approx(float((_neg_entropy(z) > t).mean()))
    advice = stack.client.get(f"/projects/{pid}/metrics", headers=key).json()["stopping"]
    # the uploaded first checkpoint has no parent: two known kappas, the window is 3
    assert advice["kappas"] == pytest.approx(
        [second["metrics"]["stop_kappa"], third["metrics"]["stop_kappa"]]
    )
    assert advice["stable"] is False and "2 of 3" in advice["message"]
    assert (advice["threshold"], advice["window"]) == (0.99, 3)


def test_stop_set_is_the_items_first_in_hash_order(stack: Stack) -> None:
    pid, _key, _ = ready_project(stack, n_target=40)
    with session_scope() as s:
        chosen = stop_set(s, pid, 7)
        ids = [
            i
            for (i,) in s.query(Item.id).filter(
                Item.project_id == pid, Item.domain == "target", Item.split == "train"
            )
        ]
    expected = sorted(ids, key=lambda i: ((i * 2654435761) % 2**32, i))[:7]
    assert chosen.item_ids == expected and len(set(ids)) == 40
