"""Faults on the real stack: PostgreSQL, a Redis of the test's own (so it can be stopped), a real
``labelq serve`` and real ``labelq worker`` processes that the test SIGKILLs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.local_server import free_port, stop_processes, wait_ready
from tests.e2e.loop import CLASSES, _npz, _pool
from tests.services import IN_CI, postgres_database

ADMIN = "fault-admin-key-of-24-characters"


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    tmp: Path
    redis_port: int
    redis: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", "--loglevel", "INFO"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
        )
        self.workers.append(proc)
        return proc

    def start_redis(self) -> None:
        self.redis = _redis(self.redis_port)


def _redis(port: int) -> subprocess.Popen[bytes]:
    exe = shutil.which("redis-server")
    if exe is None:
        if IN_CI:
            pytest.fail("redis-server is not installed; under CI=true the fault tests must run")
        pytest.skip("redis-server is not installed")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    import redis

    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis(port=port, socket_connect_timeout=1).ping()
            return proc
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    port = free_port()
    redis_proc = _redis(port)
    with postgres_database() as db_url:
        env = {
            **os.environ,
            "LABELQ_DATABASE_URL": db_url,
            "LABELQ_BROKER_URL": f"redis://127.0.0.1:{port}/0",
            "LABELQ_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
            "LABELQ_ADMIN_KEY": ADMIN,
            "LABELQ_DATA_DIR": str(tmp_path),
            "LABELQ_JOB_LEASE_SECONDS": "3",
            "LABELQ_SWEEP_INTERVAL_SECONDS": "1",
            "LABELQ_MAX_WAIT_SECONDS": "60",
            "OMP_NUM_THREADS": "1",
        }
        subprocess.run([sys.executable, "-m", "service.cli", "migrate"], env=env, check=True, timeout=120)
        api_port = free_port()
        api_log = open(tmp_path / "api.log", "wb")  # noqa: SIM115
        api = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(api_port), "--loglevel", "WARNING"],
            env=env,
            stdout=api_log,
            stderr=subprocess.STDOUT,
        )
        s = Stack(f"http://127.0.0.1:{api_port}", env, tmp_path, port, redis_proc)
        s.start_worker()
        try:
            wait_ready(s.url, [api, *s.workers])
            yield s
        finally:
            stop_processes([api, *(w for w in s.workers if w.poll() is None)])
            api_log.close()
            s.redis.terminate()
            s.redis.wait(timeout=20)


def _project(url: str, *, budget: int = 10) -> httpx.Client:
    http = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {ADMIN}"})
    res = http.post(
        "/projects", json={"name": "faults", "classes": CLASSES, "input_shape": [2], "budget": budget}
    )
    assert res.status_code == 201, res.text
    http.headers["Authorization"] = f"Bearer {res.json()['api_key']}"
    http.project_id = res.json()["id"]  # type: ignore[attr-defined]
    xs, ys = _pool(60, 0)
    xt, _ = _pool(30, 1)
    for data, domain in (
        (_npz(x=xs, y=ys), "source"),
        (_npz(x=xt, ids=np.array([f"t{i}" for i in range(30)])), "target"),
    ):
        res = http.post(
            f"/projects/{http.project_id}/pools",  # type: ignore[attr-defined]
            files={"file": ("p.npz", data)},
            data={"domain": domain, "split": "train", "wait_seconds": "60"},
        )
        assert res.status_code == 201, res.text
    return http


def _until(what: str, fn: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_completes_once_on_another(stack: Stack) -> None:
    http = _project(stack.url)
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

    _until("the training to be under way", running, 120)
    os.killpg(stack.workers[0].pid, signal.SIGKILL)
    stack.workers[0].wait(timeout=20)
    mid = http.get(f"/jobs/{job['id']}").json()
    assert mid["status"] == "running" and mid["progress"] < 1.0, mid
    stack.start_worker()
    done = _until(
        "the job to end on the second worker",
        lambda: (j := http.get(f"/jobs/{job['id']}").json())["status"] in ("succeeded", "failed") and j,
        300,
    )
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    ckpts = http.get(f"/projects/{pid}/checkpoints").json()
    assert [(c["version"], c["status"], c["job_id"]) for c in ckpts] == [(1, "ready", job["id"])]


@pytest.mark.slow
def test_a_broker_outage_answers_202_and_the_round_runs_when_it_is_back(stack: Stack) -> None:
    http = _project(stack.url)
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
    ready = _until(
        "the round to be scored once the broker is back",
        lambda: (r := http.get(f"/rounds/{rnd['id']}").json())["status"] == "ready" and r,
        120,
    )
    assert len(ready["selections"]) == 3
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    assert job["status"] == "succeeded" and job["attempts"] == 1, job
