"""A torchvision model by name through the service: its own state dict uploaded as-is, rounds of
last-layer, embedding and gradient strategies, and a DANN training on its features."""

from __future__ import annotations

import json

import numpy as np
import torch
import torchvision
from safetensors.torch import save as save_safetensors

from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, upload

SHAPE = [3, 16, 16]


def _weights(net: torch.nn.Module) -> bytes:
    return save_safetensors({k: v.contiguous() for k, v in net.state_dict().items()})


def _upload(stack: Stack, pid: int, key: dict[str, str], data: bytes, architecture: str) -> object:
    return stack.client.post(
        f"/projects/{pid}/checkpoints",
        headers=key,
        files={"file": ("w.safetensors", data)},
        data={
            "architecture": architecture,
            "arch_args": json.dumps({"num_classes": 3}),
            "wait_seconds": "60",
        },
    )


def _project(stack: Stack) -> tuple[int, dict[str, str]]:
    project, key = make_project(stack, input_shape=SHAPE, budget=10)
    rng = np.random.default_rng(0)
    for domain, split, n, labeled in (
        ("source", "train", 24, True),
        ("target", "train", 16, False),
        ("target", "eval", 9, True),
    ):
        arrays = {
            "x": rng.normal(size=(n, *SHAPE)).astype(np.float32),
            "ids": np.array([f"{domain}-{split}-{i}" for i in range(n)]),
        }
        if labeled:
            arrays["y"] = np.arange(n) % 3
        res = upload(stack, project["id"], key, npz_bytes(**arrays), domain=domain, split=split)
        assert res.status_code == 201, res.text
    return project["id"], key


def test_a_torchvision_state_dict_scores_and_trains(stack: Stack) -> None:
    pid, key = _project(stack)
    torch.manual_seed(0)
    res = _upload(
        stack, pid, key, _weights(torchvision.models.resnet18(num_classes=3)), "torchvision/resnet18"
    )
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready", res.text
    for strategy in ("entropy", "badge", "coreset", "expected_gradnorm"):
        body = {"project_id": pid, "budget": 2, "strategy": strategy, "wait_seconds": 60}
        rnd = stack.client.post("/query-batch", json=body, headers=key)
        assert rnd.status_code == 201 and len(rnd.json()["selections"]) == 2, (strategy, rnd.text)
        stack.client.post(f"/rounds/{rnd.json()['id']}/cancel", headers=key)
    train = {"objective": "dann", "epochs": 1, "batch_size": 8, "wait_seconds": 60}
    job = stack.client.post(f"/projects/{pid}/train", json=train, headers=key).json()["job"]
    assert job["status"] == "succeeded", job
    ckpt = stack.client.get(f"/checkpoints/{job['result']['checkpoint_id']}", headers=key).json()
    assert ckpt["architecture"] == "torchvision/resnet18" and ckpt["version"] == 2
    weights = stack.client.get(f"/checkpoints/{ckpt['id']}/weights", headers=key).content
    from safetensors.torch import load as load_safetensors

    torchvision.models.resnet18(num_classes=3).load_state_dict(
        load_safetensors(weights)
    )  # still torchvision's keys


def test_unknown_models_and_wrong_weights_are_refused(stack: Stack) -> None:
    pid, key = _project(stack)
    res = _upload(
        stack, pid, key, _weights(torchvision.models.resnet18(num_classes=3)), "torchvision/resnet19"
    )
    assert res.status_code == 400 and "unknown torchvision model" in res.json()["detail"]
    wrong = _weights(torchvision.models.mobilenet_v3_small(num_classes=3))
    res = _upload(stack, pid, key, wrong, "torchvision/resnet18")
    assert res.status_code == 400 and "checkpoint refused" in res.json()["detail"]
    res = _upload(stack, pid, key, wrong, "torchvision/Not A Name")
    assert res.status_code == 400 and "unknown architecture" in res.json()["detail"]
    names = stack.client.get("/networks").json()
    assert "torchvision/<name>" in names and "lenet" in names
