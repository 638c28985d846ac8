"""strategy "auto" through /query-batch: the round keeps its choice, and the next auto round is
rewarded with the importance-weighted accuracy of the new checkpoint on what auto bought."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.checkpoint import state_from_bytes
from models.networks import build_network
from tests.service.conftest import Stack
from tests.service.factories import ARCH_ARGS, query, ready_project, tiny_arrays

ARMS = ["entropy", "random", "coreset"]


def _predicted(stack: Stack, ckpt_id: int, key: dict[str, str], x: np.ndarray) -> np.ndarray:
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(
        state_from_bytes(stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content)
    )
    with torch.no_grad():
        return net.eval()(torch.from_numpy(x))[0].argmax(1).numpy()


def test_auto_rounds_record_their_choice_and_learn_from_the_labels(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=8, n_target=20)
    params = {"arms": ARMS, "gamma": 0.3}
    first = query(stack, pid, key, 4, strategy="auto", params=params).json()
    assert first["status"] == "ready", first
    choice = first["choice"]
    assert choice["arm"] in ARMS and choice["history"] == []
    assert choice["probabilities"] == pytest.approx(dict.fromkeys(ARMS, 1 / 3))
    q = [s["components"]["mixture_probability"] for s in first["selections"]]
    assert all(choice["probability"] - 1e-6 <= v <= 1 + 1e-6 for v in q)

    # label the picks with the pool's true classes, retrain, and ask again
    target = tiny_arrays(20, 2, "target-train-")
    truth = dict(zip(target["ids"].tolist(), target["y"].tolist(), strict=True))
    row = {ext: i for i, ext in enumerate(target["ids"].tolist())}
    picks = [s["external_id"] for s in first["selections"]]
    labels = [{"external_id": e, "label": truth[e]} for e in picks]
    assert (
        stack.client.post("/labels", json={"project_id": pid, "labels": labels}, headers=key).status_code
        == 200
    )
    body = {"objective": "ce", "epochs": 3, "batch_size": 8, "lr": 0.05, "wait_seconds": 60}
    trained = stack.client.post(f"/projects/{pid}/train", json=body, headers=key).json()["job"]
    assert trained["status"] == "succeeded", trained
    second = query(stack, pid, key, 4, strategy="auto", params=params).json()
    assert second["status"] == "ready", second

    # the reward: IW-ACC of the new checkpoint on the four labels, each weighted by 1/q
    predicted = _predicted(
        stack, trained["result"]["checkpoint_id"], key, target["x"][[row[e] for e in picks]]
    )
    correct = predicted == np.array([truth[e] for e in picks])
    w = 1 / np.array(q)
    expected = float((w * correct).sum() / w.sum())
    history = second["choice"]["history"]
    assert [(h["arm"], h["probability"]) for h in history] == [
        (choice["arm"], pytest.approx(choice["probability"]))
    ]
    assert history[0]["reward"] == pytest.approx(expected, abs=1e-6)
    assert "over 1 earlier auto rounds" in second["choice"]["why"]
