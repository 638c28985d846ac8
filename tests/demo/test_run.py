"""service.demo.client and run_demo against an in-process fake of the API contract (httpx.MockTransport).

The lead runs the demo end-to-end against the real API; this only checks the client's wiring:
paths, bodies, auth headers, 201/202 handling, job/round polling and error mapping.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import numpy as np
import pytest

from service.demo import client as client_mod
from service.demo import run as run_mod
from service.demo.client import ApiError, JobFailedError, LabelqClient, RoundFailedError

ADMIN, PROJECT_KEY, BASE = "admin-secret", "project-secret", "http://labelq.test"


class FakeApi:
    def __init__(self, truth: dict[str, int]):
        self.truth = truth
        self.jobs: dict[int, dict] = {}
        self.polls: dict[int, int] = {}
        self.rounds: dict[int, dict] = {}
        self.labeled: dict[str, str] = {}
        self.reserved: set[str] = set()
        self.project: dict | None = None
        self.pools: list[dict] = []
        self.trains: list[dict] = []
        self.auth_seen: list[tuple[str, str, str | None]] = []

    def _job(self, kind: str, result=None, status="queued") -> dict:
        jid = len(self.jobs) + 1
        self.jobs[jid] = {
            "id": jid,
            "kind": kind,
            "status": status,
            "progress": 0.0,
            "items_per_s": None,
            "eta_s": None,
            "message": None,
            "error": None,
            "result": result,
        }
        self.polls[jid] = 0
        return self.jobs[jid]

    def __call__(self, req: httpx.Request) -> httpx.Response:
        auth = req.headers.get("authorization")
        path, method = req.url.path, req.method
        self.auth_seen.append((method, path, auth))
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/projects" and method == "POST":
            if auth != f"Bearer {ADMIN}":
                return httpx.Response(403, json={"error": "forbidden", "detail": "admin key needed"})
            body = json.loads(req.content)
            self.project = {**body, "id": 1, "budget_spent": 0, "budget_left": body["budget"]}
            return httpx.Response(201, json={**self.project, "api_key": PROJECT_KEY})
        if auth != f"Bearer {PROJECT_KEY}":
            return httpx.Response(401, json={"error": "unauthorized", "detail": "bad key"})
        if path == "/projects/1" and method == "GET":
            return httpx.Response(200, json=self.project)
        if path == "/projects/1/pools":
            content = req.read()
            form = dict(re.findall(rb'name="(\w+)"\r\n\r\n([^\r]*)\r\n', content))
            assert b'name="file"; filename="' in content
            pool = {
                "id": len(self.pools) + 1,
                "domain": form[b"domain"].decode(),
                "split": form[b"split"].decode(),
                "n_items": 5,
                "n_labeled": 0,
                "status": "importing",
            }
            self.pools.append(pool)
            if len(self.pools) == 1:  # the big source upload is still importing: 202
                return httpx.Response(202, json={"pool": pool, "job": self._job("import")})
            return httpx.Response(
                201,
                json={"pool": {**pool, "status": "ready"}, "job": self._job("import", status="succeeded")},
            )
        if path == "/projects/1/train":
            body = json.loads(req.content)
            self.trains.append(body)
            acc = 0.4 + 0.1 * len(self.labeled) / max(len(self.truth), 1)
            job = self._job(
                "train",
                {
                    "checkpoint_id": len(self.trains),
                    "version": len(self.trains),
                    "metrics": {"eval_accuracy": acc, "stop_kappa": 0.5 + 0.1 * len(self.trains)},
                },
            )
            return httpx.Response(202, json={"job": job})
        if path == "/projects/1/metrics":
            return httpx.Response(200, json={"stopping": {"message": "still changing: mean kappa 0.8"}})
        if m := re.fullmatch(r"/jobs/(\d+)", path):
            job = self.jobs[int(m[1])]
            self.polls[job["id"]] += 1
            if job["status"] not in ("succeeded", "failed"):
                if self.polls[job["id"]] == 1:
                    job.update(status="running", progress=0.5, items_per_s=100.0, eta_s=1.0)
                else:
                    job.update(status="succeeded", progress=1.0, eta_s=0.0)
                    for rnd in self.rounds.values():
                        if rnd["job_id"] == job["id"]:
                            rnd["status"] = "ready"
            return httpx.Response(200, json=job)
        if path == "/query-batch":
            body = json.loads(req.content)
            assert body["project_id"] == 1 and body["idempotency_key"]
            free = [i for i in sorted(self.truth) if i not in self.labeled and i not in self.reserved]
            picked = free[: body["budget"]]
            self.reserved |= set(picked)
            sel = [
                {"item_id": n, "external_id": e, "rank": n, "score": 1.0 / (n + 1), "components": {}}
                for n, e in enumerate(picked)
            ]
            rid = len(self.rounds) + 1
            scoring = rid == 1  # the first round is still scoring: 202
            job = self._job("score")
            rnd = {
                "id": rid,
                "status": "scoring" if scoring else "ready",
                "strategy": body["strategy"],
                "budget": body["budget"],
                "selections": sel,
                "error": None,
                "job_id": job["id"],
            }
            self.rounds[rid] = rnd
            return httpx.Response(202 if scoring else 201, json=rnd)
        if m := re.fullmatch(r"/rounds/(\d+)", path):
            return httpx.Response(200, json=self.rounds[int(m[1])])
        if path == "/labels":
            body = json.loads(req.content)
            assert body["annotator"] == "demo-oracle" and body["round_id"] in self.rounds
            for lab in body["labels"]:
                self.labeled[lab["external_id"]] = lab["label"]
            self.project["budget_spent"] = len(self.labeled)
            self.project["budget_left"] = self.project["budget"] - len(self.labeled)
            return httpx.Response(
                200,
                json={
                    "accepted": len(body["labels"]),
                    "unchanged": 0,
                    "overwritten": 0,
                    "budget_spent": self.project["budget_spent"],
                    "budget_left": self.project["budget_left"],
                },
            )
        return httpx.Response(404, json={"error": "not_found", "detail": path})


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(client_mod.time, "sleep", lambda s: None)


@pytest.fixture
def demo_pools(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    ids = np.array([f"digits-{i:04d}" for i in range(30)])
    y = rng.integers(0, 10, 30)
    x = rng.random((30, 1, 28, 28), dtype=np.float32)
    paths = {
        k: tmp_path / f"{k}.npz" for k in ("source", "target", "target_unlabeled", "target_truth", "eval")
    }
    np.savez(paths["source"], x=x, y=y, ids=np.array([f"mnist-{i:05d}" for i in range(30)]))
    np.savez(paths["target"], x=x, y=y, ids=ids)
    np.savez(paths["target_unlabeled"], x=x, ids=ids)
    np.savez(paths["target_truth"], ids=ids, y=y)
    np.savez(paths["eval"], x=x, y=y, ids=ids)
    seen = {}

    def fake_make_demo_pools(cache_dir, eval_fraction=0.3, seed=0):
        seen["args"] = (Path(cache_dir), eval_fraction, seed)
        return paths

    monkeypatch.setattr(run_mod, "make_demo_pools", fake_make_demo_pools)
    return dict(zip(ids.tolist(), y.tolist(), strict=True)), seen


def test_run_demo_drives_the_whole_loop(tmp_path, no_sleep, demo_pools):
    truth, seen = demo_pools
    fake = FakeApi(truth)
    lines: list[str] = []
    rows = run_mod.run_demo(
        BASE,
        ADMIN,
        rounds=3,
        budget_per_round=4,
        strategy="margin",
        cache_dir=tmp_path / "cache",
        out=lines.append,
        progress=False,
        transport=httpx.MockTransport(fake),
    )
    assert seen["args"] == (tmp_path / "cache", 0.3, 0)
    assert fake.project["budget"] == 12 and fake.project["classes"] == [str(d) for d in range(10)]
    assert fake.project["input_shape"] == [1, 28, 28] and fake.project["default_strategy"] == "margin"
    assert [(p["domain"], p["split"]) for p in fake.pools] == [
        ("source", "train"),
        ("target", "train"),
        ("target", "eval"),
    ]
    # the oracle answered every selected item with the hidden truth, as class names
    assert len(fake.labeled) == 12
    assert all(label == str(truth[ext]) for ext, label in fake.labeled.items())
    # one source training from scratch, then one fine-tune per round
    assert len(fake.trains) == 4
    assert fake.trains[0]["architecture"] == "lenet" and fake.trains[0]["checkpoint_id"] is None
    assert fake.trains[0]["arch_args"] == {"num_classes": 10, "in_channels": 1, "input_size": 28}
    assert all(t["objective"] == "ce" for t in fake.trains)
    # rows: source-only, then one per round
    assert [r["round"] for r in rows] == [0, 1, 2, 3]
    assert [r["labels_spent"] for r in rows] == [0, 4, 8, 12]
    assert [r["budget_left"] for r in rows] == [12, 8, 4, 0]
    assert rows[0]["strategy"] == "source-only" and rows[1]["strategy"] == "margin"
    accs = [r["eval_accuracy"] for r in rows]
    assert accs == sorted(accs) and accs[-1] > accs[0]
    # auth: the admin key only creates the project; everything else uses the project key
    admin_uses = [(m, p) for m, p, a in fake.auth_seen if a == f"Bearer {ADMIN}"]
    assert admin_uses == [("GET", "/healthz"), ("POST", "/projects")]
    text = "\n".join(lines)
    assert "target eval acc" in text and "source-only model" in text
    assert [r.get("stop_kappa") for r in rows] == [None, 0.7, 0.8, 0.9]  # the fine-tunes' kappas
    assert "stopping advice: still changing: mean kappa 0.8" in text


def test_print_table(capsys):
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
    assert out[0].split() == [
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
    assert set(out[1]) == {"-"}
    assert out[2].split() == ["0", "source-only", "0", "100", "0.5123", "-", "-"]
    assert out[3].split() == ["1", "entropy", "-", "-", "-", "-", "-"]


def _client(handler) -> LabelqClient:
    return LabelqClient(BASE, "k", transport=httpx.MockTransport(handler))


def test_api_errors_are_mapped():
    def handler(req):
        if req.url.path == "/labels":
            return httpx.Response(409, json={"error": "budget_exceeded", "detail": "3 left"})
        return httpx.Response(502, text="Bad Gateway")

    c = _client(handler)
    with pytest.raises(ApiError) as e:
        c.submit_labels(1, [{"external_id": "a", "label": "1"}], round_id=1)
    assert (e.value.status, e.value.error, e.value.detail) == (409, "budget_exceeded", "3 left")
    with pytest.raises(ApiError) as e:
        c.get_job(1)
    assert (e.value.status, e.value.error, e.value.detail) == (502, "http_502", "Bad Gateway")


def test_wait_job_reports_progress_and_raises_on_failure(no_sleep):
    states = iter(
        [
            {"status": "queued", "progress": 0.0},
            {"status": "running", "progress": 0.3},
            {"status": "failed", "progress": 0.3, "error": "CUDA out of memory"},
        ]
    )
    c = _client(lambda req: httpx.Response(200, json={"id": 7, "kind": "train", **next(states)}))
    seen: list[float] = []
    with pytest.raises(JobFailedError, match="job 7 \\(train\\) failed: CUDA out of memory") as e:
        c.wait_job(7, lambda job: seen.append(job["progress"]))
    assert seen == [0.0, 0.3, 0.3] and e.value.job["status"] == "failed"


def test_wait_job_times_out():
    c = _client(lambda req: httpx.Response(200, json={"id": 1, "status": "running", "progress": 0.1}))
    with pytest.raises(TimeoutError):
        c.wait_job(1, timeout=0.3, poll_min=0.05, poll_max=0.05)


def test_wait_round_raises_for_a_failed_round(no_sleep):
    def handler(req):
        if req.url.path == "/rounds/3":
            return httpx.Response(200, json={"id": 3, "status": "failed", "error": "no checkpoint"})
        return httpx.Response(404, json={"error": "not_found", "detail": ""})

    with pytest.raises(RoundFailedError, match="round 3 failed: no checkpoint"):
        _client(handler).wait_round(3)


def test_requests_that_wait_get_a_longer_timeout():
    seen = {}

    def handler(req):
        seen["timeout"] = req.extensions["timeout"]
        return httpx.Response(201, json={"id": 1, "status": "ready", "selections": []})

    _client(handler).query_batch(1, 5, wait_seconds=120)
    assert seen["timeout"]["read"] >= 150
