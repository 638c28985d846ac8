"""Helpers for labelq processes on this machine: a free port, waiting for /readyz, stopping.

Used by `labelq demo` (which may start its own server), the end-to-end tests and the
label-efficiency benchmark. httpx is imported when waiting, so importing this module is cheap.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Sequence


class ServerNotReady(RuntimeError):
    """A server process exited, or did not answer GET /readyz with 200 in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    url: str, procs: Sequence[subprocess.Popen[bytes]], timeout: float = 120, path: str = "/readyz"
) -> None:
    """Poll ``{url}{path}`` until it answers 200; raise ServerNotReady if any of ``procs``
    exits first or ``timeout`` seconds pass (``/healthz``: the API alone, before any worker)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise ServerNotReady(f"a server process ({proc.args!r}) exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise ServerNotReady(f"the server at {url} did not become ready in {timeout:.0f} s")


def stop_processes(
    procs: Sequence[subprocess.Popen[bytes]], sig: int = signal.SIGTERM, timeout: float = 30
) -> None:
    """Send ``sig`` to every process still running, wait up to ``timeout`` s for each, then kill
    and reap what is left. SIGINT lets `labelq serve` stop its embedded worker first."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(sig)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
