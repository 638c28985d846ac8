"""Label Studio drives labelq as its ML backend, end to end against a real Label Studio (its own
venv, tests/peers.py) and a fresh embedded labelq: an image project in Label Studio, labelq
connected as its ML backend, predictions fetched (the tasks become labelq's target items), a labelq
round served first, annotations created, updated, deleted and skipped through Label Studio's API,
and a training started from Label Studio."""

from __future__ import annotations

import io
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from service.local_server import stop_processes, wait_ready
from tests.e2e.digits import CLASSES, digits, digits_project
from tests.e2e.embedded import serve
from tests.peers import LS_TOKEN, label_studio

CONFIG = (
    '<View><Image name="image" value="$image"/><Choices name="digit" toName="image" choice="single">'
    + "".join(f'<Choice value="{c}"/>' for c in CLASSES)
    + "</Choices></View>"
)


def _png(x: np.ndarray) -> bytes:
    """An 8x8 digit in [0, 1] as a 32x32 grayscale PNG."""
    image = Image.fromarray((x.reshape(8, 8) * 255).round().astype(np.uint8)).resize((32, 32), Image.NEAREST)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _until(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _latest(task: dict[str, Any]) -> dict[str, Any]:
    return max(task["predictions"], key=lambda p: p["id"])


@pytest.mark.slow
def test_label_studio_uses_labelq_as_its_ml_backend(tmp_path: Path) -> None:
    x, y = digits()
    (tmp_path / "ls").mkdir()
    (tmp_path / "labelq").mkdir()
    with label_studio(tmp_path / "ls" / "data") as ls_url, serve(tmp_path / "labelq") as (server, url):
        try:
            wait_ready(url, [server])
            admin = (tmp_path / "labelq" / ".labelq" / "admin.key").read_text().strip()
            pools = [
                ({"x": x[:400], "y": y[:400]}, "source", "train"),
                ({"x": x[400:500], "y": y[400:500]}, "target", "eval"),
            ]
            lq, pid, key = digits_project(url, admin, pools, budget=10, epochs=20)
            ls = httpx.Client(base_url=ls_url, timeout=120, headers={"Authorization": f"Token {LS_TOKEN}"})

            # a Label Studio project of 12 digit images, labelq connected as its ML backend
            project = ls.post("/api/projects", json={"title": "digits", "label_config": CONFIG})
            assert project.status_code == 201, project.text
            ls_pid = project.json()["id"]
            files = [(f"file{i}", (f"d{i}.png", _png(x[500 + i]), "image/png")) for i in range(12)]
            res = ls.post(f"/api/projects/{ls_pid}/import", files=files)
            assert res.status_code == 201, res.text
            tasks = ls.get("/api/tasks", params={"project": ls_pid, "page_size": 100}).json()["tasks"]
            assert len(tasks) == 12, tasks
            truth = {
                t["id"]: int(y[500 + int(Path(t["data"]["image"]).stem.split("-")[-1][1:])]) for t in tasks
            }
            backend = {
                "url": f"{url}/ls/{pid}",
                "project": ls_pid,
                "title": "labelq",
                "auth_method": "BASIC_AUTH",
                "basic_auth_user": "labelq",
                "basic_auth_pass": key,
            }
            res = ls.post("/api/ml", json=backend)
            assert res.status_code == 201, res.text
            ml_id = res.json()["id"]
            assert res.json()["state"] == "CO", res.json()  # connected: /health and /setup answered
            (hook,) = [
                h
                for h in ls.get("/api/webhooks", params={"project": ls_pid}).json()
                if h["url"].endswith("/webhook")
            ]
            res = ls.patch(
                f"/api/webhooks/{hook['id']}", json={"headers": {"Authorization": f"Bearer {key}"}}
            )
            assert res.status_code == 200, res.text

            # predictions: the tasks become labelq's target items and are answered from its checkpoint
            def predictions() -> list[dict[str, Any]]:
                res = ls.post(
                    "/api/dm/actions",
                    params={"id": "retrieve_tasks_predictions", "project": ls_pid},
                    json={"selectedItems": {"all": True, "excluded": []}},
                )
                assert res.status_code == 200, res.text
                return ls.get(
                    "/api/tasks", params={"project": ls_pid, "page_size": 100, "fields": "all"}
                ).json()["tasks"]

            first = predictions()
            items = lq.get(f"/projects/{pid}/items", params={"domain": "target", "split": "train"}).json()[
                "items"
            ]
            assert sorted(int(i["external_id"]) for i in items) == sorted(truth), (
                "every task is a target item"
            )
            ckpt = lq.get(f"/projects/{pid}/checkpoints").json()[-1]["id"]
            ours = lq.post(
                f"/checkpoints/{ckpt}/predict",
                json={"external_ids": [str(t) for t in truth], "top_k": 1, "wait_seconds": 30},
            ).json()
            by_task = {int(p["external_id"]): p for p in ours["predictions"]}
            for task in first:
                guess = _latest(task)
                want = by_task[task["id"]]
                assert guess["result"][0]["value"]["choices"] == [CLASSES[want["label"]]]
                assert guess["score"] == pytest.approx(0.5 + 0.5 * want["top"][0]["probability"], abs=1e-6)

            # a labelq round: its picks are served first (lowest scores), in labelq's order
            rnd = lq.post(
                "/query-batch",
                json={"project_id": pid, "budget": 4, "strategy": "entropy", "wait_seconds": 60},
            ).json()
            picked = [int(s["external_id"]) for s in rnd["selections"]]
            second = {t["id"]: _latest(t)["score"] for t in predictions()}
            served = sorted(second, key=lambda t: second[t])
            assert served[:4] == picked and all(second[t] < 0.5 for t in picked)

            # annotations in Label Studio become labels in labelq: created, updated, deleted; a skip releases
            def label_of(task_id: int) -> Any:
                found = lq.get(
                    f"/projects/{pid}/items", params={"domain": "target", "split": "train"}
                ).json()["items"]
                return {int(i["external_id"]): i["label"] for i in found}[task_id]

            def choose(value: str) -> list[dict[str, Any]]:
                return [
                    {
                        "from_name": "digit",
                        "to_name": "image",
                        "type": "choices",
                        "value": {"choices": [value]},
                    }
                ]

            made = ls.post(
                f"/api/tasks/{picked[0]}/annotations", json={"result": choose(str(truth[picked[0]]))}
            )
            assert made.status_code == 201, made.text
            _until("the annotation's label", lambda: label_of(picked[0]) == truth[picked[0]])
            other = (truth[picked[0]] + 1) % 10
            res = ls.patch(f"/api/annotations/{made.json()['id']}", json={"result": choose(str(other))})
            assert res.status_code == 200, res.text
            _until("the updated label", lambda: label_of(picked[0]) == other)
            assert ls.delete(f"/api/annotations/{made.json()['id']}").status_code == 204
            _until("the label removed", lambda: label_of(picked[0]) is None)
            reserved = lq.get(f"/projects/{pid}").json()["budget_reserved"]
            skip = ls.post(f"/api/tasks/{picked[1]}/annotations", json={"result": [], "was_cancelled": True})
            assert skip.status_code == 201, skip.text
            _until(
                "the skipped item released",
                lambda: lq.get(f"/projects/{pid}").json()["budget_reserved"] == reserved - 1,
            )
            assert lq.get(f"/projects/{pid}").json()["budget_spent"] == 1, "a label is bought once"

            # training from Label Studio
            trainings = lq.get(f"/projects/{pid}/jobs", params={"kind": "train"}).json()["total"]
            res = ls.post(f"/api/ml/{ml_id}/train", json={})
            assert res.status_code == 200, res.text

            def retrained() -> bool:
                page = lq.get(f"/projects/{pid}/jobs", params={"kind": "train"}).json()
                return page["total"] == trainings + 1 and page["items"][0]["status"] == "succeeded"

            _until("the retrain Label Studio started", retrained, timeout=120)
            versions = [c["version"] for c in lq.get(f"/projects/{pid}/checkpoints").json()]
            assert versions == [1, 2], "a new checkpoint version from Label Studio's training"
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)
