"""The embedded default: ``labelq serve`` with no configuration (SQLite, local blobs, a filesystem
broker, one worker process beside the API) runs the same loop; the admin key is generated."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from service.local_server import stop_processes, wait_ready
from tests.e2e.embedded import serve
from tests.e2e.loop import two_rounds


@pytest.mark.slow
def test_serve_with_no_configuration(tmp_path: Path) -> None:
    with serve(tmp_path) as (server, url):
        try:
            wait_ready(url, [server])
            data_dir = tmp_path / ".labelq"
            assert (data_dir / "labelq.sqlite3").exists() and (data_dir / "broker").is_dir()
            assert sorted(p.name for p in tmp_path.iterdir()) == [".labelq", "serve.log"], "nothing outside"
            admin_key = (data_dir / "admin.key").read_text().strip()
            assert oct((data_dir / "admin.key").stat().st_mode & 0o777) == "0o600"
            http, pid = two_rounds(url, admin_key)
            trace = {"X-Request-ID": "e2e-trace-round"}
            res = http.post("/query-batch", json={"project_id": pid, "budget": 2}, headers=trace)
            assert res.status_code == 201 and res.headers["x-request-id"] == "e2e-trace-round", res.text
            job_id = res.json()["job_id"]
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)  # serve stops its worker first
    # the log is JSON lines; the request's id is on the API's access line and on the worker's lines
    lines = [
        json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line[:1] == "{"
    ]
    traced = [line for line in lines if line.get("request_id") == "e2e-trace-round"]
    access = [line for line in traced if line["logger"] == "uvicorn.access"]
    worker = [line for line in traced if line.get("job_id") == job_id]
    assert access and "/query-batch" in access[0]["message"] and access[0]["pid"] == server.pid
    assert worker and {line["pid"] for line in worker}.isdisjoint({server.pid}), "the worker's own lines"
    assert any(f"job {job_id} succeeded" in line["message"] for line in worker)


def _worker_children(pid: int) -> list[int]:
    """``labelq worker`` processes started by process ``pid`` (by any of its threads)."""
    children = [
        c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()
    ]
    out = []
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"worker" in cmdline:
            out.append(child)
    return out


@pytest.mark.slow
def test_serve_restarts_an_embedded_worker_that_dies(tmp_path: Path) -> None:
    import time

    import httpx

    with serve(tmp_path, LABELQ_SWEEP_INTERVAL_SECONDS="1") as (server, url):
        try:
            wait_ready(url, [server])
            (first,) = _worker_children(server.pid)
            os.kill(first, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while not [w for w in _worker_children(server.pid) if w != first]:
                assert time.monotonic() < deadline, "serve did not start the worker again"
                time.sleep(0.2)
            wait_ready(url, [server])  # /readyz sees the new worker
            key = (tmp_path / ".labelq" / "admin.key").read_text().strip()
            body = {"name": "p", "classes": ["a", "b"], "input_shape": [2], "budget": 1}
            res = httpx.post(f"{url}/projects", json=body, headers={"Authorization": f"Bearer {key}"})
            project = res.json()
            import io

            import numpy as np

            buf = io.BytesIO()
            np.savez(buf, x=np.zeros((3, 2), np.float32), y=np.zeros(3, np.int64))
            res = httpx.post(
                f"{url}/projects/{project['id']}/pools",
                files={"file": ("p.npz", buf.getvalue())},
                data={"domain": "source", "wait_seconds": "60"},
                headers={"Authorization": f"Bearer {project['api_key']}"},
                timeout=90,
            )
            assert res.status_code == 201, res.text  # the new worker imported it
            assert b"starting it again" in (tmp_path / "serve.log").read_bytes()
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)
