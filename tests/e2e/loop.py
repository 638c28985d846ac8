"""The loop both end-to-end tests drive over HTTP (full stack and embedded default)."""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import torch
from safetensors.torch import save as save_safetensors

from models.networks import build_network

CLASSES = ["neg", "zero", "pos"]


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _pool(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    x = rng.normal(scale=0.6, size=(n, 2)).astype(np.float32)
    x[:, 0] += (y - 1) * 2.0
    return x, y


def two_rounds(url: str, admin_key: str) -> tuple[httpx.Client, int]:
    """Pools, checkpoint, then twice: query -> labels -> retrain; checks budget, reservations, labels.
    Returns a client holding the project's key, and the project id (2 labels of budget left)."""
    http = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {admin_key}"})
    res = http.post("/projects", json={"name": "e2e", "classes": CLASSES, "input_shape": [2], "budget": 10})
    assert res.status_code == 201, res.text
    pid, key = res.json()["id"], res.json()["api_key"]
    http.headers["Authorization"] = f"Bearer {key}"

    xs, ys = _pool(60, 0)
    xt, yt = _pool(30, 1)
    xe, ye = _pool(15, 2)
    truth = {f"t{i:02d}": int(yt[i]) for i in range(30)}
    uploads = [
        (_npz(x=xs, y=ys), "source", "train"),
        (_npz(x=xt + 1.0, ids=np.array(list(truth))), "target", "train"),
        (_npz(x=xe + 1.0, y=ye), "target", "eval"),
    ]
    for data, domain, split in uploads:
        res = http.post(
            f"/projects/{pid}/pools",
            files={"file": ("p.npz", data)},
            data={"domain": domain, "split": split, "wait_seconds": "60"},
        )
        assert res.status_code == 201, res.text

    torch.manual_seed(0)
    net = build_network("mlp", input_shape=[2], num_classes=3, hidden=[16])
    weights = save_safetensors({k: v.contiguous() for k, v in net.state_dict().items()})
    res = http.post(
        f"/projects/{pid}/checkpoints",
        files={"file": ("w.safetensors", weights)},
        data={
            "architecture": "mlp",
            "wait_seconds": "60",
            "arch_args": json.dumps({"input_shape": [2], "num_classes": 3, "hidden": [16]}),
        },
    )
    assert res.status_code == 201 and res.json()["checkpoint"]["status"] == "ready", res.text
    v1 = res.json()["checkpoint"]["id"]

    seen: set[str] = set()
    for round_no, (budget, strategy) in enumerate([(4, "entropy"), (4, "margin")], start=1):
        res = http.post(
            "/query-batch",
            json={
                "project_id": pid,
                "budget": budget,
                "strategy": strategy,
                "idempotency_key": f"r{round_no}",
                "wait_seconds": 60,
            },
        )
        assert res.status_code == 201, res.text
        rnd = res.json()
        picked = [s["external_id"] for s in rnd["selections"]]
        assert len(picked) == budget and not set(picked) & seen, "a labeled item came back"
        # a concurrent open round never returns what this one reserved
        other = http.post(
            "/query-batch", json={"project_id": pid, "budget": 1, "strategy": strategy, "wait_seconds": 60}
        ).json()
        assert other["selections"][0]["external_id"] not in picked
        http.post(f"/rounds/{other['id']}/cancel").raise_for_status()
        res = http.post(
            "/labels",
            json={
                "project_id": pid,
                "round_id": rnd["id"],
                "annotator": "oracle",
                "labels": [{"external_id": e, "label": truth[e]} for e in picked],
            },
        )
        assert res.status_code == 200, res.text
        assert res.json()["budget_spent"] == 4 * round_no and res.json()["budget_left"] == 10 - 4 * round_no
        seen |= set(picked)
        res = http.post(
            f"/projects/{pid}/train",
            json={"objective": "ce", "epochs": 5, "batch_size": 16, "lr": 0.05, "wait_seconds": 120},
        )
        job = res.json()["job"]
        assert job["status"] == "succeeded", job
        assert job["result"]["version"] == round_no + 1

    project = http.get(f"/projects/{pid}").json()
    assert (project["budget_spent"], project["budget_left"], project["budget_reserved"]) == (8, 2, 0)
    labeled = http.get(
        f"/projects/{pid}/items", params={"domain": "target", "split": "train", "labeled": "true"}
    ).json()
    assert {i["external_id"]: i["label"] for i in labeled["items"]} == {e: truth[e] for e in seen}
    metrics = http.get(f"/projects/{pid}/metrics").json()
    assert [c["version"] for c in metrics["checkpoints"]] == [1, 2, 3]
    assert metrics["checkpoints"][-1]["labels_at_training"] == 8
    last = http.get(f"/checkpoints/{metrics['checkpoints'][-1]['checkpoint_id']}").json()
    assert last["parent_id"] is not None and last["parent_id"] != v1
    res = http.post("/query-batch", json={"project_id": pid, "budget": 3, "strategy": "entropy"})
    assert res.status_code == 409 and "only 2 are left" in res.json()["detail"]
    return http, pid
