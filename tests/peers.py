"""Real peer programs the tests talk to, each in a venv of its own (never the project's), made on
first use and cached under ``~/.cache/labelq-test-peers`` (``LABELQ_TEST_PEERS``), so a CI run
installs them once. Under CI=true a peer that cannot be installed fails the run; elsewhere the
tests that need it skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from service.local_server import free_port
from tests.services import IN_CI

PEERS_DIR = Path(os.environ.get("LABELQ_TEST_PEERS", Path.home() / ".cache" / "labelq-test-peers"))
MOTO = "moto[server,s3]==5.2.5"
PLAYWRIGHT = "playwright==1.65.2"


def peer_venv(name: str, *requirements: str) -> Path:
    """The bin/ folder of a venv holding ``requirements`` (made under a file lock when missing)."""
    venv, want = PEERS_DIR / name, "\n".join(requirements)
    marker = venv / ".labelq-installed"
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    with open(PEERS_DIR / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.is_file() and marker.read_text() == want):
            try:
                subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
                pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
                subprocess.run([*pip, *requirements], check=True, timeout=900, capture_output=True)
            except (subprocess.SubprocessError, OSError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                message = f"cannot install {requirements} for the tests: {exc} {detail[-2000:]!r}"
                if IN_CI:
                    pytest.fail(message)
                pytest.skip(message)
            marker.write_text(want)
    return venv / "bin"


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's standalone S3-compatible server on a free port; yields its endpoint URL."""
    exe = peer_venv("moto", MOTO) / "moto_server"
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with code {proc.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def chromium() -> str:
    """Debian's ``chromium`` (never ``playwright install``): on PATH, or installed with apt-get when
    this machine allows it (CI runs as root on Debian)."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        with open(PEERS_DIR.parent / "labelq-apt.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=600)
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        found = shutil.which("chromium")
        if found is None:
            _unavailable(f"cannot install Debian's chromium: {done.stdout[-1500:]} {done.stderr[-1500:]}")
    if found is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    assert found is not None
    return found


LABEL_STUDIO = "label-studio==1.23.2"
LS_USER, LS_PASSWORD, LS_TOKEN = "labelq-test@example.com", "labelq-test-password", "labelq-test-legacy-token"


@contextmanager
def label_studio(data_dir: Path) -> Iterator[str]:
    """A real Label Studio on a free port with a user whose legacy API token is ``LS_TOKEN``
    (1.23 disables legacy tokens by default: ``--enable-legacy-api-token`` turns them on for the
    test organisation). SSRF protection and the banned private subnets are off so it may call labelq
    on 127.0.0.1. Yields its URL."""
    exe = peer_venv("label-studio", LABEL_STUDIO) / "label-studio"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABELQ_", "DJANGO_"))}
    env |= {
        "SSRF_PROTECTION_ENABLED": "false",
        "USE_DEFAULT_BANNED_SUBNETS": "false",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
    }
    args = [
        str(exe), "start", "--no-browser", "--port", str(port), "--internal-host", "127.0.0.1",
        "--host", url, "--data-dir", str(data_dir), "--username", LS_USER, "--password", LS_PASSWORD,
        "--user-token", LS_TOKEN, "--enable-legacy-api-token",
    ]  # fmt: skip
    with open(data_dir.parent / "label-studio.log", "wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_http(f"{url}/health", proc, timeout=240)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
