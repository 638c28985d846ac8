"""The whole loop over HTTP on the full stack: a real uvicorn server and a real ``labelq worker``
process on PostgreSQL + Redis. Two rounds: pools, checkpoint, query, labels, retrain, query."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.local_server import free_port, stop_processes, wait_ready
from tests.e2e.loop import two_rounds
from tests.services import drop_redis_keys, postgres_database, require_redis

ADMIN = "e2e-admin-key-of-24-characters"


@pytest.fixture
def full_stack(tmp_path: Path) -> Iterator[str]:
    redis_url = require_redis()
    queue = f"e2e-{uuid.uuid4().hex[:8]}"
    with postgres_database() as db_url:
        env = {
            **os.environ,
            "LABELQ_DATABASE_URL": db_url,
            "LABELQ_BROKER_URL": redis_url,
            "LABELQ_QUEUE": queue,
            "LABELQ_ADMIN_KEY": ADMIN,
            "LABELQ_DATA_DIR": str(tmp_path),
            "LABELQ_DEFAULT_WAIT_SECONDS": "60",
            "OMP_NUM_THREADS": "1",
        }
        subprocess.run([sys.executable, "-m", "service.cli", "migrate"], env=env, check=True, timeout=120)
        port = free_port()
        logs = [open(tmp_path / f"{n}.log", "wb") for n in ("worker", "api")]  # noqa: SIM115
        worker = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", "--loglevel", "INFO"],
            env=env,
            stdout=logs[0],
            stderr=subprocess.STDOUT,
        )
        api = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--loglevel", "WARNING"],
            env=env,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, [worker, api])
            yield url
        finally:
            stop_processes([api, worker])
            for fh in logs:
                fh.close()
            drop_redis_keys(queue)


@pytest.mark.slow
def test_two_rounds_over_http(full_stack: str) -> None:
    two_rounds(full_stack, ADMIN)
