"""A labelq project of scikit-learn's digits (8x8 images, [1, 8, 8] in [0, 1]) on a running server:
pools uploaded and a network trained from scratch, over HTTP (the dashboard and Label Studio tests)."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np

from tests.e2e.loop import _npz

CLASSES = [str(d) for d in range(10)]


def digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16).astype(np.float32).reshape(-1, 1, 8, 8), y


def digits_project(
    url: str, admin: str, pools: list[tuple[dict[str, np.ndarray], str, str]], *, budget: int, epochs: int
) -> tuple[httpx.Client, int, str]:
    """Project, ``pools`` ((arrays, domain, split) each) and a trained mlp: (a client holding the
    project key, the project id, the key)."""
    http = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {admin}"})
    body: dict[str, Any] = {"name": "digits", "classes": CLASSES, "input_shape": [1, 8, 8], "budget": budget}
    made = http.post("/projects", json=body).json()
    pid, key = made["id"], made["api_key"]
    http.headers["Authorization"] = f"Bearer {key}"
    for arrays, domain, split in pools:
        res = http.post(
            f"/projects/{pid}/pools",
            files={"file": ("p.npz", _npz(**arrays))},
            data={"domain": domain, "split": split, "wait_seconds": "60"},
        )
        assert res.status_code == 201, res.text
    train = {
        "objective": "ce",
        "architecture": "mlp",
        "arch_args": {"hidden": [64]},
        "epochs": epochs,
        "lr": 0.01,
    }
    job = http.post(f"/projects/{pid}/train", json={**train, "wait_seconds": 60}).json()["job"]
    assert job["status"] == "succeeded", job
    return http, pid, key
