"""The embedded default: ``labelq serve`` with no configuration (SQLite, local blobs, a filesystem
broker, one worker process beside the API) runs the same loop; the admin key is generated."""

from __future__ import annotations

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
            two_rounds(url, admin_key)
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)  # serve stops its worker first


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
