"""Faults on the real stack (tests/e2e/stack.py): workers SIGKILLed mid-job, the broker stopped, the
API killed mid-upload, PostgreSQL backends terminated, a job past its time limit."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from datetime import datetime

import httpx
import numpy as np
import pytest

from service.local_server import wait_ready
from tests.e2e.loop import _npz
from tests.e2e.stack import Stack, project_client, until
from tests.services import PG_ADMIN_URL

BIG_POOL = 20_000


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_completes_once_on_another(stack: Stack) -> None:
    http = project_client(stack.url)
    pid = http.project_id  # type: ignore[attr-defined]
    body = {
        "objective": "ce",
        "architecture": "mlp",
        "arch_args": {"hidden": [64, 64]},
        "epochs": 400,
        "batch_size": 4,
    }
    job = http.post(f"/projects/{pid}/train", json=body).json()["job"]

    def running() -> bool:
        j = http.get(f"/jobs/{job['id']}").json()
        return j["status"] == "running" and j["progress"] > 0.02

    until("the training to be under way", running, 120)
    os.killpg(stack.workers[0].pid, signal.SIGKILL)
    stack.workers[0].wait(timeout=20)
    mid = http.get(f"/jobs/{job['id']}").json()
    assert mid["status"] == "running" and mid["progress"] < 1.0, mid
    stack.start_worker()
    done = until(
        "the job to end on the second worker",
        lambda: (j := http.get(f"/jobs/{job['id']}").json())["status"] in ("succeeded", "failed") and j,
        300,
    )
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    ckpts = http.get(f"/projects/{pid}/checkpoints").json()
    assert [(c["version"], c["status"], c["job_id"]) for c in ckpts] == [(1, "ready", job["id"])]


@pytest.mark.slow
def test_a_broker_outage_answers_202_and_the_round_runs_when_it_is_back(stack: Stack) -> None:
    http = project_client(stack.url)
    pid = http.project_id  # type: ignore[attr-defined]
    res = http.post(
        f"/projects/{pid}/train",
        json={"objective": "ce", "architecture": "mlp", "epochs": 2, "wait_seconds": 60},
    )
    assert res.status_code == 200 and res.json()["job"]["status"] == "succeeded", res.text
    stack.redis.terminate()
    stack.redis.wait(timeout=20)
    started = time.monotonic()
    res = http.post(
        "/query-batch", json={"project_id": pid, "budget": 3, "idempotency_key": "k1", "wait_seconds": 30}
    )
    assert res.status_code == 202 and res.headers["retry-after"], res.text
    assert time.monotonic() - started < 25, "an unsent job is answered at once, not after the wait"
    rnd = res.json()
    assert rnd["status"] == "pending"
    again = http.post(
        "/query-batch", json={"project_id": pid, "budget": 3, "idempotency_key": "k1", "wait_seconds": 0}
    )
    assert again.status_code == 200 and again.json()["id"] == rnd["id"]
    stack.start_redis()
    ready = until(
        "the round to be scored once the broker is back",
        lambda: (r := http.get(f"/rounds/{rnd['id']}").json())["status"] == "ready" and r,
        120,
    )
    assert len(ready["selections"]) == 3
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    assert job["status"] == "succeeded" and job["attempts"] == 1, job


@pytest.mark.slow
def test_an_api_killed_mid_upload_stores_no_half_pool(stack: Stack) -> None:
    http = project_client(stack.url)
    pid = http.project_id  # type: ignore[attr-defined]
    before = http.get(f"/projects/{pid}/pools").json()
    key = http.headers["Authorization"]
    head = (
        f"POST /projects/{pid}/pools HTTP/1.1\r\nHost: x\r\nAuthorization: {key}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 50000000\r\n\r\n"
        '--b\r\nContent-Disposition: form-data; name="domain"\r\n\r\ntarget\r\n'
        '--b\r\nContent-Disposition: form-data; name="file"; filename="p.npz"\r\n\r\n'
    )
    with socket.create_connection(("127.0.0.1", stack.api_port)) as sock:
        sock.sendall(head.encode() + b"\0" * 2_000_000)  # 2 MB of the announced 50 MB
        time.sleep(1.0)
        assert stack.api is not None
        stack.api.kill()
        stack.api.wait(timeout=20)
    stack.start_api()
    assert stack.api is not None
    wait_ready(stack.url, [stack.api])
    assert http.get(f"/projects/{pid}/pools").json() == before
    uploads = stack.tmp / "blobs" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir()), list(uploads.iterdir())


@pytest.mark.slow
def test_postgres_backends_terminated_during_traffic_answer_503_and_the_service_recovers(
    stack: Stack,
) -> None:
    import psycopg

    http = project_client(stack.url, budget=30)
    pid = http.project_id  # type: ignore[attr-defined]
    res = http.post(
        f"/projects/{pid}/train",
        json={"objective": "ce", "architecture": "mlp", "epochs": 1, "wait_seconds": 60},
    )
    assert res.status_code == 200, res.text
    database = stack.env["LABELQ_DATABASE_URL"].rsplit("/", 1)[1]
    stop, killed = threading.Event(), [0]

    def terminate_backends() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            while not stop.is_set():
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                ).fetchall()
                killed[0] += len(rows)
                time.sleep(0.2)

    statuses: list[int] = []

    def traffic(i: int) -> None:
        with httpx.Client(base_url=stack.url, headers=dict(http.headers), timeout=60) as c:
            deadline = time.monotonic() + 8
            n = 0
            while time.monotonic() < deadline:
                n += 1
                statuses.append(c.get(f"/projects/{pid}").status_code)
                body = {"project_id": pid, "labels": [{"external_id": f"t{(i * 7 + n) % 15}", "label": 0}]}
                statuses.append(c.post("/labels", json=body).status_code)

    killer = threading.Thread(target=terminate_backends)
    killer.start()
    clients = [threading.Thread(target=traffic, args=(i,)) for i in range(4)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    stop.set()
    killer.join()
    assert killed[0] > 0, "the test terminated no backend"
    assert 500 not in statuses and all(s in (200, 409, 503) for s in statuses), sorted(set(statuses))
    assert statuses.count(200) > 0
    # recovered without a restart: reads, writes and a round on a worker all work again
    until("readiness", lambda: httpx.get(f"{stack.url}/readyz").status_code == 200, 60)
    project = http.get(f"/projects/{pid}").json()
    assert project["budget_spent"] <= project["budget"]
    res = http.post("/query-batch", json={"project_id": pid, "budget": 1, "wait_seconds": 60})
    assert res.status_code == 201 and res.json()["status"] == "ready", res.text


@pytest.mark.slow
def test_a_round_whose_worker_is_killed_mid_scoring_is_scored_once_by_another(stack: Stack) -> None:
    http = project_client(stack.url, budget=10)
    pid = http.project_id  # type: ignore[attr-defined]
    rng = np.random.default_rng(3)
    big = _npz(
        x=rng.normal(size=(BIG_POOL, 2)).astype(np.float32), ids=np.array([f"b{i}" for i in range(BIG_POOL)])
    )
    res = http.post(
        f"/projects/{pid}/pools",
        files={"file": ("b.npz", big)},
        data={"domain": "target", "wait_seconds": "60"},
    )
    assert res.status_code == 201, res.text
    body = {
        "objective": "ce",
        "architecture": "mlp",
        "arch_args": {"hidden": [256, 256]},
        "epochs": 1,
        "wait_seconds": 60,
    }
    assert http.post(f"/projects/{pid}/train", json=body).json()["job"]["status"] == "succeeded"
    # per-sample gradients over the whole network: slow enough to be killed while it scores
    query = {"project_id": pid, "budget": 4, "strategy": "expected_gradnorm", "wait_seconds": 0}
    rnd = http.post("/query-batch", json=query).json()
    until(
        "the round to be scoring", lambda: http.get(f"/rounds/{rnd['id']}").json()["status"] == "scoring", 60
    )
    time.sleep(0.2)
    os.killpg(stack.workers[0].pid, signal.SIGKILL)
    stack.workers[0].wait(timeout=20)
    assert http.get(f"/rounds/{rnd['id']}").json()["status"] == "scoring", "killed before it finished"
    assert http.get(f"/projects/{pid}").json()["budget_reserved"] == 4, (
        "a scoring round keeps its reservation"
    )
    stack.start_worker()
    done = until(
        "the round to be scored by the second worker",
        lambda: (r := http.get(f"/rounds/{rnd['id']}").json())["status"] not in ("pending", "scoring") and r,
        300,
    )
    assert done["status"] == "ready" and done["n_selections"] == 4, done
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    assert job["status"] == "succeeded" and job["attempts"] == 2, job
    assert http.get(f"/projects/{pid}").json()["budget_reserved"] == 4


@pytest.mark.slow
def test_a_job_past_its_time_limit_is_stopped_by_the_prefork_pool_and_fails_clearly(stack: Stack) -> None:
    http = project_client(stack.url)
    pid = http.project_id  # type: ignore[attr-defined]
    stack.restart_workers(1, LABELQ_JOB_TIME_LIMITS='{"train": 8}')
    body = {"objective": "ce", "architecture": "mlp", "arch_args": {"hidden": [256, 256]}, "epochs": 1000}
    job = http.post(f"/projects/{pid}/train", json={**body, "batch_size": 1}).json()["job"]  # 60,000 steps
    until("the training to start", lambda: http.get(f"/jobs/{job['id']}").json()["started_at"], 120)
    done = until(
        "the job to be stopped",
        lambda: (j := http.get(f"/jobs/{job['id']}").json())["status"] not in ("queued", "running") and j,
        120,
    )
    assert (done["status"], done["error_code"], done["attempts"]) == ("failed", "time_limit", 1), done
    assert "time limit" in done["error"]
    ran = (datetime.fromisoformat(done["finished_at"]) - datetime.fromisoformat(done["started_at"])).seconds
    assert 6 <= ran < 30, ran  # stopped at the soft limit (7.2 s), not at the end of 1,000 epochs
    ckpts = http.get(f"/projects/{pid}/checkpoints").json()
    assert all(c["status"] != "ready" for c in ckpts), ckpts
    assert stack.workers[-1].poll() is None  # the worker lives on and takes the next job
    res = http.post(f"/projects/{pid}/train", json={**body, "epochs": 1, "wait_seconds": 60})
    assert res.status_code == 200 and res.json()["job"]["status"] == "succeeded", res.text
