"""The stack of the fault tests: PostgreSQL, a Redis of the test's own (so it can be stopped), a
real ``labelq serve`` and real ``labelq worker`` processes that a test may SIGKILL or restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.local_server import stop_processes, wait_ready
from tests.e2e.loop import CLASSES, _npz, _pool
from tests.services import IN_CI

ADMIN = "fault-admin-key-of-24-characters"


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    tmp: Path
    redis_port: int
    redis: subprocess.Popen[bytes]
    api_port: int
    api: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_api(self) -> None:
        log = open(self.tmp / "api.log", "ab")  # noqa: SIM115
        self.api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--port",
                str(self.api_port),
                "--loglevel",
                "WARNING",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

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

    def restart_workers(self, n: int, **env: str) -> None:
        """Stop every worker, then start ``n`` with these settings added, and wait until ready."""
        stop_processes([w for w in self.workers if w.poll() is None])
        self.env.update(env)
        for _ in range(n):
            self.start_worker()
        wait_ready(self.url, self.workers[-n:])
        pids = {w.pid for w in self.workers[-n:]}
        until(
            "the workers to announce themselves",
            lambda: pids <= {r[0] for r in self.sql("SELECT pid FROM workers")},
            120,
        )

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a query on the stack's database (what the API does not show, e.g. shard jobs)."""
        import psycopg

        url = self.env["LABELQ_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def start_redis(self) -> None:
        self.redis = redis_server(self.redis_port)


def redis_server(port: int) -> subprocess.Popen[bytes]:
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


def project_client(url: str, *, budget: int = 10) -> httpx.Client:
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


def until(what: str, fn: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
