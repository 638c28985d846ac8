"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.local_server import free_port, stop_processes, wait_ready
from tests.e2e.stack import ADMIN, Stack, redis_server
from tests.services import postgres_database


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    port = free_port()
    redis_proc = redis_server(port)
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
        s = Stack(f"http://127.0.0.1:{api_port}", env, tmp_path, port, redis_proc, api_port)
        s.start_api()
        s.start_worker()
        assert s.api is not None
        try:
            wait_ready(s.url, [s.api, *s.workers])
            yield s
        finally:
            alive = [p for p in (s.api, *s.workers) if p is not None and p.poll() is None]
            stop_processes(alive)
            s.redis.terminate()
            s.redis.wait(timeout=20)
