"""The dashboard in a real browser: headless Debian chromium driven by Playwright (both in their own
places, tests/peers.py) on a fresh embedded server. A person enters the project key, opens the
project, opens a round, labels its items by clicking their classes, sees the budget move, retrains
and sees the learning curve grow; the key never reaches a URL."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pytest

from service.local_server import stop_processes, wait_ready
from tests.e2e.digits import digits, digits_project
from tests.e2e.embedded import serve
from tests.peers import PLAYWRIGHT, chromium, peer_venv

SCRIPT = Path(__file__).with_name("browser_script.py")
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _project(url: str, admin: str) -> tuple[int, str, int, dict[int, int], list[str]]:
    """Digits (8x8 images) as source, unlabeled target and eval pools, a trained network and a ready
    round of 4: (project id, its key, the round id, the truth of the round's items by item id, the
    predictions a card should show)."""
    x, y = digits()
    ids = np.array([f"d{i:04d}" for i in range(len(x))])
    pools = [
        ({"x": x[:300], "y": y[:300]}, "source", "train"),
        ({"x": x[300:500], "ids": ids[300:500]}, "target", "train"),
        ({"x": x[500:600], "y": y[500:600]}, "target", "eval"),
    ]
    http, pid, key = digits_project(url, admin, pools, budget=20, epochs=30)
    res = http.post(
        "/query-batch", json={"project_id": pid, "budget": 4, "strategy": "entropy", "wait_seconds": 60}
    )
    assert res.status_code == 201, res.text
    rnd = res.json()
    truth = {s["item_id"]: int(y[int(s["external_id"][1:])]) for s in rnd["selections"]}
    shown = [
        f"predicted {s['prediction']['label']} ({s['prediction']['top'][0]['probability']:.2f})"
        for s in rnd["selections"]
    ]
    return pid, key, rnd["id"], truth, shown


@pytest.mark.slow
def test_label_a_round_by_clicking_and_watch_budget_and_curve(tmp_path: Path) -> None:
    chromium()
    python = peer_venv("playwright", PLAYWRIGHT) / "python"
    with serve(tmp_path) as (server, url):
        try:
            wait_ready(url, [server])
            admin = (tmp_path / ".labelq" / "admin.key").read_text().strip()
            pid, key, round_id, truth, shown = _project(url, admin)
            shot = tmp_path / "dashboard.png"
            cfg = {
                "url": url,
                "key": key,
                "project": pid,
                "round": round_id,
                "labels": truth,
                "screenshot": str(shot),
                "screenshot_round": str(tmp_path / "dashboard-round.png"),
            }
            run = subprocess.run(
                [str(python), str(SCRIPT), json.dumps(cfg)], capture_output=True, text=True, timeout=400
            )
            assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
            seen = json.loads(run.stdout.strip().splitlines()[-1])
            http = httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {key}"})
            project = http.get(f"/projects/{pid}").json()
            labeled = http.get(
                f"/projects/{pid}/items", params={"domain": "target", "split": "train", "labeled": "true"}
            ).json()["items"]
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)
    assert seen["budget_before"] == "budget 20: spent 0, reserved 4, free 16"
    assert sorted(seen["cards"]) == sorted(truth) and seen["thumbnails"] == [96] * 4  # 8x8 shown x12
    assert seen["predicted"] == shown, "each card shows the checkpoint's prediction"
    assert seen["ledger"] == "budget 20: spent 4, reserved 0, free 16"
    assert seen["budget_after"] == "budget 20: spent 4, reserved 0, free 16"
    assert (seen["points_before"], seen["points_after"]) == (1, 2), "the retrain adds a point"
    assert seen["jobs"][0] == "succeeded"
    # what the clicks did, seen from the API: the four items carry the labels clicked
    assert (project["budget_spent"], project["budget_reserved"]) == (4, 0)
    assert {i["id"]: i["label"] for i in labeled} == truth
    # the key stays in this tab's sessionStorage and in headers: never in a URL or localStorage
    assert seen["session_keys"] == ["labelq.key"] and seen["local_keys"] == []
    assert seen["requests_with_key"] == [] and key not in seen["page_url"]
    for name in ("dashboard.png", "dashboard-round.png"):  # the README's pictures (delete to renew)
        if not (DOCS / name).exists():
            DOCS.mkdir(exist_ok=True)
            (DOCS / name).write_bytes((tmp_path / name).read_bytes())
