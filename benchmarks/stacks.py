"""The service as benchmarks run it: the embedded default or the full stack (a PostgreSQL
database of its own, the shared Redis under a key prefix of its own, real worker processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import common

from service.local_server import free_port, stop_processes, wait_ready

PG_ADMIN = os.environ.get("LABELQ_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("LABELQ_TEST_REDIS", "redis://127.0.0.1:6379/0")


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"labelq_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running(mode: str, log_dir: Path, *, admin_key: str, workers: int = 2, **settings: str) -> Iterator[str]:
    """The service in ``mode`` (``embedded``: ``labelq serve`` alone; ``full``: PostgreSQL, Redis,
    ``workers`` worker processes), ready; yields its URL. ``settings``: more LABELQ_* variables."""
    tmp = Path(tempfile.mkdtemp(prefix=f"labelq-bench-{mode}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    env |= {"LABELQ_DATA_DIR": str(tmp), "LABELQ_ADMIN_KEY": admin_key, "OMP_NUM_THREADS": "1"}
    env |= {f"LABELQ_{k.upper()}": v for k, v in settings.items()}
    env["PYTHONPATH"] = str(common.REPO_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    port = free_port()
    cli = [sys.executable, "-m", "service.cli"]
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        log = open(log_dir / f"{mode}-{name}.log", "wb")  # noqa: SIM115
        procs.append(subprocess.Popen([*cli, *args], env=env, stdout=log, stderr=subprocess.STDOUT))

    with postgres_database() if mode == "full" else _nothing() as db_url:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        if mode == "full":
            env |= {"LABELQ_DATABASE_URL": db_url, "LABELQ_BROKER_URL": REDIS, "LABELQ_QUEUE": queue}
            subprocess.run([*cli, "migrate"], env=env, check=True, timeout=300, capture_output=True)
            for i in range(workers):
                start(f"worker-{i}", "worker", "--loglevel", "WARNING")
        start("api", "serve", "--port", str(port), "--loglevel", "WARNING")
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, procs, timeout=180)
            yield url
        finally:
            stop_processes(procs)
            if mode == "full":
                _drop_redis_keys(queue)


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def _drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
