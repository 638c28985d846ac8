"""labelq_demo: the demo loop through the generated SDK against the real in-process service (tiny
stand-in pools instead of MNIST and digits), and labelq_demo.sdk's errors and waits against
scripted answers in the API's own shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from labelq_client.api.projects import create_project
from labelq_client.models import ProjectIn
from labelq_demo import run as run_mod
from labelq_demo import sdk
from service.db.engine import session_scope
from service.db.tables import Annotation, Checkpoint
from tests.service.conftest import ADMIN, Stack
from tests.service.factories import via_test_client

BASE = "http://testserver"


@pytest.fixture
def demo_pools(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    ids = np.array([f"digits-{i:04d}" for i in range(30)])
    y = rng.integers(0, 10, 30)
    x = rng.random((30, 1, 28, 28), dtype=np.float32)
    paths = {k: tmp_path / f"{k}.npz" for k in ("source", "target_unlabeled", "target_truth", "eval")}
    np.savez(paths["source"], x=x, y=y, ids=np.array([f"mnist-{i:05d}" for i in range(30)]))
    np.savez(paths["target_unlabeled"], x=x, ids=ids)
    np.savez(paths["target_truth"], ids=ids, y=y)
    np.savez(paths["eval"], x=x, y=y, ids=np.array([f"eval-{i:04d}" for i in range(30)]))
    seen = {}

    def fake_make_demo_pools(cache_dir, eval_fraction=0.3, seed=0):  # type: ignore[no-untyped-def]
        seen["args"] = (Path(cache_dir), eval_fraction, seed)
        return paths

    monkeypatch.setattr(run_mod, "make_demo_pools", fake_make_demo_pools)
    return dict(zip(ids.tolist(), y.tolist(), strict=True)), seen


def test_run_demo_drives_the_whole_loop(stack: Stack, tmp_path, demo_pools) -> None:  # type: ignore[no-untyped-def]
    truth, seen = demo_pools
    lines: list[str] = []
    rows = run_mod.run_demo(
        BASE,
        ADMIN,
        rounds=2,
        budget_per_round=4,
        strategy="margin",
        cache_dir=tmp_path / "cache",
        out=lines.append,
        progress=False,
        source_epochs=1,
        finetune_epochs=1,
        project_name="demo-under-test",
        transport=via_test_client(stack),
    )
    assert seen["args"] == (tmp_path / "cache", 0.3, 0)
    assert [r["round"] for r in rows] == [0, 1, 2]
    assert [r["labels_spent"] for r in rows] == [0, 4, 8]
    assert [r["budget_left"] for r in rows] == [8, 4, 0]
    assert rows[0]["strategy"] == "source-only" and rows[1]["strategy"] == "margin"
    assert all(0.0 <= r["eval_accuracy"] <= 1.0 for r in rows)
    assert all(r["stop_kappa"] is not None for r in rows[1:]), "every fine-tune has a parent to agree with"
    checkpoints = [r["checkpoint_id"] for r in rows]
    assert checkpoints == sorted(checkpoints) and len(set(checkpoints)) == 3
    projects = stack.client.get("/projects", headers=stack.admin).json()
    (project,) = [p for p in projects if p["name"] == "demo-under-test"]
    with session_scope() as s:
        notes = s.execute(select(Annotation).where(Annotation.project_id == project["id"])).scalars().all()
        archs = s.execute(select(Checkpoint.architecture).where(Checkpoint.project_id == project["id"]))
        archs = set(archs.scalars())
    # the simulated annotator answered every selected item with the hidden truth
    assert len(notes) == 8 and {n.annotator for n in notes} == {"demo-oracle"}
    items = stack.client.get(
        f"/projects/{project['id']}/items",
        params={"domain": "target", "split": "train", "labeled": "true"},
        headers=stack.admin,
    ).json()["items"]
    assert len(items) == 8
    assert {i["external_id"]: i["label"] for i in items} == {
        i["external_id"]: truth[i["external_id"]] for i in items
    }
    assert (
        archs == {"lenet"}
        and project["default_strategy"] == "margin"
        and project["input_shape"] == [1, 28, 28]
    )
    text = "\n".join(lines)
    assert "target eval acc" in text and "source-only model" in text and "stopping advice: " in text


def test_print_table(capsys) -> None:  # type: ignore[no-untyped-def]
    run_mod.print_table(
        [
            {
                "round": 0,
                "strategy": "source-only",
                "labels_spent": 0,
                "budget_left": 100,
                "eval_accuracy": 0.51234,
            },
            {"round": 1, "strategy": "entropy"},
        ]
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == (
        [
            "round",
            "strategy",
            "labels",
            "spent",
            "budget",
            "left",
            "target",
            "eval",
            "acc",
            "est.",
            "acc",
            "(no",
            "labels)",
            "kappa",
            "vs",
            "last",
        ]
    )
    assert set(out[1]) == {"-"}
    assert out[2].split() == ["0", "source-only", "0", "100", "0.5123", "-", "-"]
    assert out[3].split() == ["1", "entropy", "-", "-", "-", "-", "-"]


def test_api_errors_carry_the_envelope(stack: Stack) -> None:
    project = stack.client.post(
        "/projects",
        json={"name": "e", "classes": ["a", "b"], "input_shape": [2], "budget": 1},
        headers=stack.admin,
    ).json()
    key = project["api_key"]
    body = ProjectIn(name="x", classes=["a", "b"], input_shape=[2], budget=1)
    with sdk.connect(BASE, key, transport=via_test_client(stack)) as api, pytest.raises(sdk.ApiError) as e:
        sdk.call(create_project.sync_detailed, client=api, body=body)
    assert (e.value.status, e.value.error) == (403, "forbidden") and "admin key" in e.value.detail


# -- waits, against scripted answers in the API's shapes -------------------------------------------


def _job(**fields: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "project_id": 1,
        "kind": "train",
        "status": "queued",
        "progress": 0.0,
        "items_per_s": None,
        "eta_s": None,
        "message": None,
        "error": None,
        "error_code": None,
        "result": None,
        "attempts": 1,
        "sent_at": None,
        "lease_until": None,
        "created_at": "2026-12-04T00:00:00Z",
        "started_at": None,
        "finished_at": None,
        **fields,
    }


def _client(handler) -> Any:  # type: ignore[no-untyped-def]
    return sdk.connect(BASE, "k", transport=httpx.MockTransport(handler))


@pytest.fixture
def no_sleep(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sdk.time, "sleep", lambda s: None)


def test_wait_job_reports_progress_and_raises_on_failure(no_sleep) -> None:  # type: ignore[no-untyped-def]
    states = iter(
        [
            _job(status="queued"),
            _job(status="running", progress=0.3),
            _job(status="failed", progress=0.3, error="CUDA out of memory"),
        ]
    )
    seen: list[float] = []
    with pytest.raises(sdk.JobFailedError, match=r"job 7 \(train\) failed: CUDA out of memory") as e:
        sdk.wait_job(
            _client(lambda req: httpx.Response(200, json=next(states))), 7, lambda j: seen.append(j.progress)
        )
    assert seen == [0.0, 0.3, 0.3] and e.value.job.status == "failed"


def test_wait_job_retries_transport_errors_and_times_out() -> None:
    calls = []

    def handler(req):  # type: ignore[no-untyped-def]
        calls.append(req.url.path)
        if len(calls) <= 2:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json=_job(status="running", progress=0.1))

    with pytest.raises(TimeoutError):
        sdk.wait_job(_client(handler), 7, timeout=0.3, poll_min=0.05, poll_max=0.05)
    assert len(calls) > 3 and set(calls) == {"/jobs/7"}


def test_wait_round_raises_for_a_failed_round(no_sleep) -> None:  # type: ignore[no-untyped-def]
    def handler(req):  # type: ignore[no-untyped-def]
        assert req.url.path == "/rounds/3"
        round_fields = {
            "id": 3,
            "project_id": 1,
            "number": 1,
            "status": "failed",
            "strategy": "entropy",
            "params": {},
            "budget": 5,
            "seed": 0,
            "checkpoint_id": 1,
            "checkpoint_sha256": None,
            "idempotency_key": None,
            "pool_size": None,
            "error": "no checkpoint",
            "job_id": None,
            "created_at": "2026-12-04T00:00:00Z",
            "closed_at": None,
        }
        return httpx.Response(200, json=round_fields)

    with pytest.raises(sdk.RoundFailedError, match="round 3 failed: no checkpoint"):
        sdk.wait_round(_client(handler), 3)


def test_answers_outside_the_envelope_are_errors_too() -> None:
    from labelq_client.api.jobs import get_job

    api = _client(lambda req: httpx.Response(502, text="Bad Gateway"))
    with pytest.raises(sdk.ApiError) as e:
        sdk.call(get_job.sync_detailed, 1, client=api)
    assert (e.value.status, e.value.error, e.value.detail) == (502, "http_502", "Bad Gateway")
