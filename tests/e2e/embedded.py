"""``labelq serve`` as a user starts it: no LABELQ_ configuration (SQLite, local blobs, a
filesystem broker, one worker process beside the API) in a folder of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.local_server import free_port


@contextmanager
def serve(folder: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``labelq serve`` in ``folder`` with no LABELQ_ configuration but ``env``; its log in
    ``folder/serve.log``. Yields the process and its URL (the caller waits and stops it)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    environ |= {"OMP_NUM_THREADS": "1", **env}
    port = free_port()
    with open(folder / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=folder,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield server, f"http://127.0.0.1:{port}"
