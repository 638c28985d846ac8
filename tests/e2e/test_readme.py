"""The README runs as written: its walk-through's shell block, then the simulation's and the
chunked upload's of "Your data", in order, in an empty folder against the fresh embedded server
the walk-through starts. Any failing command fails the test (``set -euo pipefail``; every curl in
them fails on an HTTP error)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from service.local_server import free_port

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = ("## Walk-through with curl", "## Simulation: compare strategies", "## Your data")


def _first_bash_block(section: str) -> str:
    text = README.read_text()
    body = text[text.index(section) :]
    body = body[: body.index("\n## ", 1)] if "\n## " in body[1:] else body
    match = re.search(r"```bash\n(.*?)```", body, re.S)
    assert match, f"{section} has no bash block"
    return match.group(1)


def _stop_group(pgid: int, timeout: float = 40.0) -> None:
    """SIGINT to what the script left running (``labelq serve`` stops its worker), then SIGKILL."""
    import time

    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def test_the_blocks_are_the_ones_a_reader_follows() -> None:
    walk, sim, parts = (_first_bash_block(s) for s in SECTIONS)
    assert walk.startswith("labelq serve ") and "/query-batch" in walk and "/labels" in walk
    assert "labelq simulate" in sim and "hidden_labels" in sim
    assert "/uploads" in parts and "Upload-Offset" in parts and "/complete" in parts


@pytest.mark.slow
def test_the_walk_through_and_the_simulation_run_as_written(tmp_path: Path) -> None:
    script = "set -euo pipefail\n" + "\n".join(_first_bash_block(s) for s in SECTIONS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    env |= {
        "LABELQ_PORT": str(free_port()),
        "PATH": f"{Path(sys.executable).parent}:{env['PATH']}",  # labelq and python3 of the venv
        "OMP_NUM_THREADS": "1",
    }
    log_path = tmp_path.parent / f"{tmp_path.name}-readme.log"  # a file: the server keeps its end open
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the server it starts in the background goes with its group
        )
        try:
            proc.wait(timeout=500)
        finally:
            _stop_group(proc.pid)
    log = log_path.read_text(errors="replace")
    assert proc.returncode == 0, log[-6000:]
    assert (tmp_path / "final.safetensors").stat().st_size > 0 and (tmp_path / "curve.png").stat().st_size > 0
    assert '"status":"succeeded"' in log.replace(" ", "")
    assert '"n_items":3000' in log.replace(" ", ""), "the pool sent in parts got in whole"
