"""The service as benchmarks run it: the embedded default or the full stack (a PostgreSQL
database of its own, the shared Redis under a key prefix of its own, real worker processes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@dataclass
class Service:
    """A started service: its URL and environment, and what starts or measures its processes."""

    mode: str
    url: str
    env: dict[str, str]
    log_dir: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, *args: str, core: int | None = None) -> subprocess.Popen[bytes]:
        """``labelq <args>``; ``core``: pinned to that CPU (``taskset``), its children too."""
        pin = ["taskset", "-c", str(core)] if core is not None else []
        log = open(self.log_dir / f"{self.mode}-{name}.log", "wb")  # noqa: SIM115
        cmd = [*pin, sys.executable, "-m", "service.cli", *args]
        proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def start_workers(self, n: int, *args: str, pin: bool = False) -> list[subprocess.Popen[bytes]]:
        """``n`` more ``labelq worker`` processes, ready; ``pin``: worker i on CPU i."""
        base = len(self.procs)
        new = [
            self.start(
                f"worker-{base + i}", "worker", "--loglevel", "WARNING", *args, core=i if pin else None
            )
            for i in range(n)
        ]
        wait_ready(self.url, new, timeout=180)
        time.sleep(3)  # consuming: /readyz may answer for an earlier worker's announcement
        return new

    def stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        stop_processes(procs)
        self.procs = [p for p in self.procs if p not in procs]


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident set (VmHWM) of a process and its children, in MB."""
    pids = [pid] + [int(d) for d in os.listdir("/proc") if d.isdigit() and _parent(int(d)) == pid]
    return max(_hwm_kb(p) for p in pids) / 1024


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def service(
    mode: str, log_dir: Path, *, admin_key: str, workers: int = 2, **settings: str
) -> Iterator[Service]:
    """The service in ``mode`` (``embedded``: ``labelq serve`` alone; ``full``: PostgreSQL, Redis,
    ``workers`` worker processes), ready. ``settings``: more LABELQ_* variables."""
    tmp = Path(tempfile.mkdtemp(prefix=f"labelq-bench-{mode}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    env |= {"LABELQ_DATA_DIR": str(tmp), "LABELQ_ADMIN_KEY": admin_key, "OMP_NUM_THREADS": "1"}
    env |= {f"LABELQ_{k.upper()}": v for k, v in settings.items()}
    env["PYTHONPATH"] = str(common.REPO_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    port = free_port()
    svc = Service(mode, f"http://127.0.0.1:{port}", env, log_dir)
    with postgres_database() if mode == "full" else _nothing() as db_url:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        try:
            if mode == "full":
                env |= {"LABELQ_DATABASE_URL": db_url, "LABELQ_BROKER_URL": REDIS, "LABELQ_QUEUE": queue}
                subprocess.run(
                    [sys.executable, "-m", "service.cli", "migrate"],
                    env=env,
                    check=True,
                    timeout=300,
                    capture_output=True,
                )
                for i in range(workers):
                    svc.start(f"worker-{i}", "worker", "--loglevel", "WARNING")
            svc.start("api", "serve", "--port", str(port), "--loglevel", "WARNING")
            wait_ready(svc.url, svc.procs, timeout=180, path="/readyz" if workers else "/healthz")
            yield svc
        finally:
            stop_processes(svc.procs)
            shutil.rmtree(tmp, ignore_errors=True)
            if mode == "full":
                _drop_redis_keys(queue)


@contextmanager
def running(mode: str, log_dir: Path, *, admin_key: str, workers: int = 2, **settings: str) -> Iterator[str]:
    """``service(...)``'s URL."""
    with service(mode, log_dir, admin_key=admin_key, workers=workers, **settings) as svc:
        yield svc.url


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def _drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
