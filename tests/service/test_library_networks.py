"""torchvision and timm models by name through the service: the library's own state dict uploaded
as-is, a round of every strategy and a training with every objective, predictions = softmax of the
model, features of the right size."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import timm
import torch
import torchvision
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, upload

SHAPE = [3, 16, 16]


def _weights(net: torch.nn.Module) -> bytes:
    return save_safetensors({k: v.contiguous() for k, v in net.state_dict().items()})


def _upload(
    stack: Stack, pid: int, key: dict[str, str], data: bytes, architecture: str, spec: dict | None = None
) -> Any:  # type: ignore[type-arg]
    form = {"architecture": architecture, "arch_args": json.dumps({"num_classes": 3}), "wait_seconds": "60"}
    if spec is not None:
        form["input_spec"] = json.dumps(spec)
    return stack.client.post(
        f"/projects/{pid}/checkpoints", headers=key, files={"file": ("w.safetensors", data)}, data=form
    )


def _project(stack: Stack) -> tuple[int, dict[str, str], np.ndarray]:
    project, key = make_project(stack, input_shape=SHAPE, budget=10)
    rng, source = np.random.default_rng(0), None
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
        source = arrays["x"] if source is None else source
    assert source is not None
    return project["id"], key, source


LIBRARIES = {
    "torchvision/resnet18": lambda: torchvision.models.resnet18(num_classes=3),
    "timm/test_efficientnet": lambda: timm.create_model("test_efficientnet", pretrained=False, num_classes=3),
}


@pytest.mark.parametrize("architecture", sorted(LIBRARIES))
def test_every_strategy_and_objective_on_a_library_model(stack: Stack, architecture: str) -> None:
    pid, key, x = _project(stack)
    torch.manual_seed(0)
    net = LIBRARIES[architecture]().eval()
    res = _upload(stack, pid, key, _weights(net), architecture)
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready", res.text
    ckpt = res.json()["checkpoint"]["id"]
    # predictions are the library model's own softmax on the items
    with torch.no_grad():
        probs = torch.softmax(net(torch.from_numpy(x[:5])).double(), -1)
    names = [f"source-train-{i}" for i in range(5)]
    answer = stack.client.post(
        f"/checkpoints/{ckpt}/predict", json={"external_ids": names, "wait_seconds": 30}, headers=key
    ).json()
    assert [p["label"] for p in answer["predictions"]] == probs.argmax(-1).tolist()
    got = [p["top"][0]["probability"] for p in answer["predictions"]]
    assert np.allclose(got, probs.max(-1).values.numpy(), atol=1e-5)
    strategies = [s["name"] for s in stack.client.get("/strategies").json()]
    assert len(strategies) >= 14
    for strategy in strategies:
        body = {"project_id": pid, "budget": 2, "strategy": strategy, "wait_seconds": 60}
        rnd = stack.client.post("/query-batch", json=body, headers=key)
        assert rnd.status_code == 201 and len(rnd.json()["selections"]) == 2, (strategy, rnd.text)
        stack.client.post(f"/rounds/{rnd.json()['id']}/cancel", headers=key)
    for objective in [o["name"] for o in stack.client.get("/objectives").json()]:
        train = {"objective": objective, "epochs": 1, "batch_size": 8, "wait_seconds": 60}
        job = stack.client.post(f"/projects/{pid}/train", json=train, headers=key).json()["job"]
        assert job["status"] == "succeeded", (objective, job)
        made = stack.client.get(f"/checkpoints/{job['result']['checkpoint_id']}", headers=key).json()
        assert made["architecture"] == architecture
    weights = stack.client.get(f"/checkpoints/{made['id']}/weights", headers=key).content
    LIBRARIES[architecture]().load_state_dict(load_safetensors(weights))  # still the library's own keys


def test_unknown_models_and_wrong_weights_are_refused(stack: Stack) -> None:
    pid, key, _ = _project(stack)
    res = _upload(
        stack, pid, key, _weights(torchvision.models.resnet18(num_classes=3)), "torchvision/resnet19"
    )
    assert res.status_code == 400 and "torchvision has no model 'resnet19'" in res.json()["detail"]
    wrong = _weights(torchvision.models.mobilenet_v3_small(num_classes=3))
    res = _upload(stack, pid, key, wrong, "torchvision/resnet18")
    assert res.status_code == 400 and "checkpoint refused" in res.json()["detail"]
    res = _upload(stack, pid, key, wrong, "torchvision/Not A Name")
    assert res.status_code == 400 and "unknown architecture" in res.json()["detail"]
    names = {e["name"] for e in stack.client.get("/networks").json()}
    assert {"torchvision/<name>", "timm/<name>", "lenet"} <= names


def test_an_input_spec_resizes_and_normalises_what_the_network_sees(stack: Stack) -> None:
    """ImageNet-style weights: items of 16 px resized to 32 and normalised with the spec's mean/std,
    in predictions and after a retrain (which keeps the spec)."""
    pid, key, x = _project(stack)
    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=3).eval()
    spec = {"size": [32, 32], "mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]}
    res = _upload(stack, pid, key, _weights(net), "torchvision/resnet18", spec)
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready", res.text
    ckpt = res.json()["checkpoint"]["id"]
    items = torch.from_numpy(x[:4])
    seen = torch.nn.functional.interpolate(items, size=(32, 32), mode="bilinear", align_corners=False)
    seen = (seen - torch.tensor(spec["mean"]).view(1, 3, 1, 1)) / torch.tensor(spec["std"]).view(1, 3, 1, 1)
    with torch.no_grad():
        want = torch.softmax(net(seen).double(), -1).max(-1).values.numpy()
        raw = torch.softmax(net(items).double(), -1).max(-1).values.numpy()
    names = [f"source-train-{i}" for i in range(4)]
    got = stack.client.post(
        f"/checkpoints/{ckpt}/predict", json={"external_ids": names, "wait_seconds": 30}, headers=key
    ).json()["predictions"]
    confidence = np.array([p["top"][0]["probability"] for p in got])
    assert np.allclose(confidence, want, atol=1e-5) and not np.allclose(confidence, raw, atol=1e-3)
    job = stack.client.post(
        f"/projects/{pid}/train",
        json={"objective": "ce", "epochs": 1, "batch_size": 8, "wait_seconds": 60},
        headers=key,
    ).json()["job"]
    child = stack.client.get(f"/checkpoints/{job['result']['checkpoint_id']}", headers=key).json()
    assert {k: child["input_spec"][k] for k in spec} == spec and child["input_spec"]["shape"] == SHAPE
    for bad, message in (
        ({"mean": [0.5]}, "one per channel"),
        ({"std": [1, 0, 1]}, "std must be positive"),
        ({"size": [0, 9]}, "1..4096"),
        ({"scale": 2}, "not ['scale']"),
    ):
        res = _upload(stack, pid, key, _weights(net), "torchvision/resnet18", bad)
        assert res.status_code == 400 and message in res.json()["detail"], (bad, res.text)
