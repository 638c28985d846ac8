"""The embedded default: ``labelq serve`` with no configuration (SQLite, local blobs, a filesystem
broker, one worker process beside the API) runs the same loop; the admin key is generated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from service.local_server import free_port, stop_processes, wait_ready
from tests.e2e.loop import two_rounds


@pytest.mark.slow
def test_serve_with_no_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    env["OMP_NUM_THREADS"] = "1"
    port = free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}", [server])
            data_dir = tmp_path / ".labelq"
            assert (data_dir / "labelq.sqlite3").exists() and (data_dir / "broker").is_dir()
            assert sorted(p.name for p in tmp_path.iterdir()) == [".labelq", "serve.log"], "nothing outside"
            admin_key = (data_dir / "admin.key").read_text().strip()
            assert oct((data_dir / "admin.key").stat().st_mode & 0o777) == "0o600"
            two_rounds(f"http://127.0.0.1:{port}", admin_key)
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)  # serve stops its worker first
