"""Log lines as JSON objects with the request and job they belong to (service/logs.py), in a
process of their own (configuring logging here would replace pytest's capture)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import logging
from service import logs
logs.configure("{fmt}", "INFO")
log = logging.getLogger("labelq.test")
log.info("outside")
with logs.job_context(41, "req-abc"):
    log.warning("inside %s", "a job")
log.debug("below the level")
"""


def _run(fmt: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(fmt=fmt)], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stderr.splitlines()


def test_json_lines_carry_request_and_job_ids() -> None:
    outside, inside = (json.loads(line) for line in _run("json"))
    assert (outside["message"], outside["request_id"], outside["job_id"]) == ("outside", None, None)
    assert (inside["message"], inside["request_id"], inside["job_id"]) == ("inside a job", "req-abc", 41)
    assert (inside["level"], inside["logger"]) == ("WARNING", "labelq.test") and "time" in inside


def test_text_lines_show_the_request_id() -> None:
    outside, inside = _run("text")
    assert outside.endswith("INFO labelq.test [None] outside")
    assert inside.endswith("WARNING labelq.test [req-abc] inside a job")
