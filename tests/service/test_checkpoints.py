"""Checkpoint upload: validated by a worker (safe load + forward pass), inspected, downloaded."""

from __future__ import annotations

import io
import os
import pickle
import uuid

import torch
from safetensors.torch import load as load_safetensors

from tests.service.conftest import Stack
from tests.service.factories import ARCH_ARGS, make_project, upload_checkpoint, upload_pool, weights_bytes


class _Payload:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.path}",))


def test_upload_validates_and_downloads_bit_exact(stack: Stack) -> None:
    project, key = make_project(stack)
    upload_pool(stack, project["id"], key, domain="target", n=5, labeled=False)
    data = weights_bytes(seed=3)
    res = upload_checkpoint(stack, project["id"], key, data)
    assert res.status_code == 201, res.text
    ckpt = res.json()["checkpoint"]
    assert (ckpt["status"], ckpt["version"], ckpt["architecture"]) == ("ready", 1, "mlp")
    assert len(ckpt["sha256"]) == 64
    got = stack.client.get(f"/checkpoints/{ckpt['id']}/weights", headers=key)
    assert got.status_code == 200
    sent, back = load_safetensors(data), load_safetensors(got.content)
    assert sent.keys() == back.keys() and all(torch.equal(sent[k], back[k]) for k in sent)


def test_torch_state_dict_is_accepted(stack: Stack) -> None:
    project, key = make_project(stack)
    state = load_safetensors(weights_bytes(seed=1))
    buf = io.BytesIO()
    torch.save(state, buf)
    res = upload_checkpoint(stack, project["id"], key, buf.getvalue())
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready"


def test_pickle_with_code_is_refused_and_never_run(stack: Stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    project, key = make_project(stack)
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    for data in (pickle.dumps({"w": _Payload(str(marker))}), _torch_saved(_Payload(str(marker)))):
        res = upload_checkpoint(stack, project["id"], key, data)
        assert res.status_code == 400, res.text
        assert res.json()["error"] == "checkpoint_rejected"
        assert not marker.exists(), "the pickle's code must never run"
    listed = stack.client.get(f"/projects/{project['id']}/checkpoints", headers=key).json()
    assert {c["status"] for c in listed} == {"rejected"} and all(c["error"] for c in listed)


def _torch_saved(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save({"w": obj}, buf)
    return buf.getvalue()


def test_wrong_class_count_is_refused(stack: Stack) -> None:
    project, key = make_project(stack)
    args = {**ARCH_ARGS, "num_classes": 5}
    res = upload_checkpoint(stack, project["id"], key, weights_bytes(num_classes=5), arch_args=args)
    assert res.status_code == 400 and "5 classes" in res.json()["detail"]


def test_weights_that_do_not_fit_the_architecture_are_refused(stack: Stack) -> None:
    project, key = make_project(stack)
    res = upload_checkpoint(stack, project["id"], key, weights_bytes(hidden=[16]))
    assert res.status_code == 400 and res.json()["error"] == "checkpoint_rejected"


def test_unknown_architecture_and_bad_args(stack: Stack) -> None:
    project, key = make_project(stack)
    res = stack.client.post(
        f"/projects/{project['id']}/checkpoints",
        headers=key,
        files={"file": ("w", b"x")},
        data={"architecture": "vgg99"},
    )
    assert res.status_code == 400 and "unknown architecture" in res.json()["detail"]
    res = stack.client.post(
        f"/projects/{project['id']}/checkpoints",
        headers=key,
        files={"file": ("w", b"x")},
        data={"architecture": "mlp", "arch_args": "[1"},
    )
    assert res.status_code == 400 and "JSON" in res.json()["detail"]


def test_unknown_checkpoint_is_404(stack: Stack) -> None:
    assert stack.client.get("/checkpoints/987654", headers=stack.admin).status_code == 404
