"""Plain factory functions: projects, tiny pools, checkpoints, all through the real API."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import torch

from models.checkpoint import state_to_bytes
from models.networks import build_network
from tests.service.conftest import Stack

CLASSES = ["a", "b", "c"]
SHAPE = [4]
ARCH_ARGS = {"input_shape": SHAPE, "num_classes": 3, "hidden": [8]}


def make_project(stack: Stack, *, budget: int = 10, **extra: Any) -> tuple[dict[str, Any], dict[str, str]]:
    body = {"name": "t", "classes": CLASSES, "input_shape": SHAPE, "budget": budget, **extra}
    res = stack.client.post("/projects", json=body, headers=stack.admin)
    assert res.status_code == 201, res.text
    project = res.json()
    return project, {"Authorization": f"Bearer {project['api_key']}"}


def png_bytes(value: int, size: int = 6) -> bytes:
    """A grey PNG of ``size`` x ``size`` pixels, every one ``value``."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full((size, size), value, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def image_project(stack: Stack) -> tuple[int, dict[str, str]]:
    """A project of 1 x 4 x 4 images, classes cat and dog."""
    body = {"name": "img", "classes": ["cat", "dog"], "input_shape": [1, 4, 4], "budget": 5}
    res = stack.client.post("/projects", json=body, headers=stack.admin)
    return res.json()["id"], {"Authorization": f"Bearer {res.json()['api_key']}"}


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def tiny_arrays(n: int, seed: int, prefix: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(CLASSES)
    x = rng.normal(size=(n, SHAPE[0])).astype(np.float32) + 2.0 * np.eye(SHAPE[0], dtype=np.float32)[y]
    return {"x": x, "y": y, "ids": np.array([f"{prefix}{i:03d}" for i in range(n)])}


def upload(
    stack: Stack,
    pid: int,
    key: dict[str, str],
    data: bytes,
    *,
    domain: str,
    split: str = "train",
    filename: str = "pool.npz",
) -> Any:
    return stack.client.post(
        f"/projects/{pid}/pools",
        headers=key,
        files={"file": (filename, data)},
        data={"domain": domain, "split": split, "wait_seconds": "30"},
    )


def upload_pool(
    stack: Stack,
    pid: int,
    key: dict[str, str],
    *,
    domain: str,
    split: str = "train",
    n: int = 20,
    seed: int = 0,
    prefix: str | None = None,
    labeled: bool = True,
) -> dict[str, Any]:
    arrays = tiny_arrays(n, seed, prefix or f"{domain}-{split}-")
    if not labeled:
        arrays.pop("y")
    res = upload(stack, pid, key, npz_bytes(**arrays), domain=domain, split=split)
    assert res.status_code == 201, res.text
    return res.json()["pool"]


def weights_bytes(seed: int = 0, **args: Any) -> bytes:
    torch.manual_seed(seed)
    net = build_network("mlp", **{**ARCH_ARGS, **args})
    return state_to_bytes({k: v.detach() for k, v in net.state_dict().items()})


def upload_checkpoint(
    stack: Stack,
    pid: int,
    key: dict[str, str],
    data: bytes | None = None,
    arch_args: dict[str, Any] | None = None,
    architecture: str = "mlp",
) -> Any:
    import json

    return stack.client.post(
        f"/projects/{pid}/checkpoints",
        headers=key,
        files={"file": ("w.safetensors", data if data is not None else weights_bytes())},
        data={
            "architecture": architecture,
            "arch_args": json.dumps(arch_args or ARCH_ARGS),
            "wait_seconds": "30",
        },
    )


def ready_project(stack: Stack, *, budget: int = 10, n_target: int = 12) -> tuple[int, dict[str, str], int]:
    """A project with source, unlabeled target and eval pools and a ready checkpoint."""
    project, key = make_project(stack, budget=budget)
    pid = project["id"]
    upload_pool(stack, pid, key, domain="source", n=30, seed=1)
    upload_pool(stack, pid, key, domain="target", n=n_target, seed=2, labeled=False)
    upload_pool(stack, pid, key, domain="target", split="eval", n=9, seed=3)
    res = upload_checkpoint(stack, pid, key)
    assert res.status_code == 201, res.text
    return pid, key, res.json()["checkpoint"]["id"]


def query(stack: Stack, pid: int, key: dict[str, str], budget: int, **extra: Any) -> Any:
    body = {"project_id": pid, "budget": budget, "strategy": "entropy", "wait_seconds": 30, **extra}
    return stack.client.post("/query-batch", json=body, headers=key)


class _ViaTestClient(httpx.BaseTransport):
    """An httpx transport that answers through the stack's TestClient (whichever httpx it uses)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        res = self.stack.client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.read()
        )
        return httpx.Response(res.status_code, headers=dict(res.headers), content=res.content)


def via_test_client(stack: Stack) -> httpx.BaseTransport:
    return _ViaTestClient(stack)
