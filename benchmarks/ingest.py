"""Ingest at scale: one pool import of N items, then ``POST /labels`` in calls of 10,000 labels.

    .venv/bin/python benchmarks/ingest.py [--items 1000000] [--calls 10] [--per-call 10000]
                                          [--modes full embedded]

Both run modes, started from nothing by this script (benchmarks/stacks.py): ``full`` is
PostgreSQL, Redis, ``labelq serve`` and one ``labelq worker``; ``embedded`` is ``labelq serve``
on SQLite. The pool is N items of 4 floats with external ids; the import is timed end to end
(request sent -> pool ready, polling the job) and on the worker (job started -> finished). The
labels go to distinct unlabeled items by external id, ``--calls`` requests one after another.
Afterwards the server must hold every item and every label (checked, not assumed).

Goals (issue 12): import of 1,000,000 items <= 30 s end to end on PostgreSQL; >= 20,000 labels/s
in calls of 10,000 on PostgreSQL and on SQLite. Writes out/ingest.{json,md}.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import httpx
import numpy as np
from stacks import running

ADMIN = "bench-ingest-admin-key-0123456789abcdef"
CLASSES = ["a", "b", "c"]


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _project(http: httpx.Client, budget: int) -> int:
    body = {"name": "ingest", "classes": CLASSES, "input_shape": [4], "budget": budget}
    res = http.post("/projects", json=body)
    res.raise_for_status()
    http.headers["Authorization"] = f"Bearer {res.json()['api_key']}"
    return int(res.json()["id"])


def _job_seconds(job: dict[str, Any]) -> float:
    ended, started = (datetime.fromisoformat(job[k]) for k in ("finished_at", "started_at"))
    return (ended - started).total_seconds()


def import_pool(http: httpx.Client, pid: int, n: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    data = _npz(x=rng.normal(size=(n, 4)).astype(np.float32), ids=np.array([f"t{i:07d}" for i in range(n)]))
    started = time.perf_counter()
    res = http.post(
        f"/projects/{pid}/pools",
        files={"file": ("pool.npz", data)},
        data={"domain": "target", "wait_seconds": "60"},
    )
    assert res.status_code in (201, 202), res.text
    job = res.json()["job"]
    while job["status"] in ("queued", "running"):
        time.sleep(0.2)
        job = http.get(f"/jobs/{job['id']}").json()
    end_to_end = time.perf_counter() - started
    assert job["status"] == "succeeded", job
    total = http.get(f"/projects/{pid}/items", params={"domain": "target", "limit": 1}).json()["total"]
    assert total == n, f"the server holds {total} of {n} items"
    mb = len(data) / 2**20
    return {"items": n, "upload_mb": mb, "end_to_end_s": end_to_end, "worker_s": _job_seconds(job)}


def label_calls(http: httpx.Client, pid: int, calls: int, per_call: int) -> dict[str, Any]:
    seconds: list[float] = []
    for c in range(calls):
        labels = [{"external_id": f"t{c * per_call + i:07d}", "label": i % 3} for i in range(per_call)]
        started = time.perf_counter()
        res = http.post("/labels", json={"project_id": pid, "labels": labels, "annotator": "bench"})
        seconds.append(time.perf_counter() - started)
        assert res.status_code == 200 and res.json()["accepted"] == per_call, res.text[:300]
    held = http.get(f"/projects/{pid}/items", params={"labeled": "true", "limit": 1}).json()["total"]
    spent = http.get(f"/projects/{pid}").json()["budget_spent"]
    assert held == spent == calls * per_call, (held, spent)
    return {
        "labels": calls * per_call,
        "call_p50_s": statistics.median(seconds),
        "call_max_s": max(seconds),
        "labels_per_s": calls * per_call / sum(seconds),
    }


def run_mode(mode: str, n: int, calls: int, per_call: int, log_dir: Path) -> dict[str, Any]:
    with running(mode, log_dir, admin_key=ADMIN, workers=1, max_wait_seconds="60") as url:
        http = httpx.Client(base_url=url, timeout=600, headers={"Authorization": f"Bearer {ADMIN}"})
        pid = _project(http, budget=calls * per_call)
        common.log(f"{mode}: importing {n:,} items")
        imported = import_pool(http, pid, n)
        common.log(f"{mode}: import {imported['end_to_end_s']:.1f} s; {calls} label calls of {per_call:,}")
        labeled = label_calls(http, pid, calls, per_call)
        common.log(f"{mode}: {labeled['labels_per_s']:,.0f} labels/s")
        return {"mode": mode, "import": imported, "labels": labeled}


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    rows = [
        [
            r["mode"],
            f"{r['import']['items']:,}",
            f"{r['import']['end_to_end_s']:.1f}",
            f"{r['import']['worker_s']:.1f}",
            f"{r['import']['items'] / r['import']['end_to_end_s']:,.0f}",
            f"{r['labels']['labels_per_s']:,.0f}",
            f"{r['labels']['call_p50_s']:.2f}",
        ]
        for r in results
    ]
    table = common.markdown_table(
        ["mode", "items", "import s (end to end)", "import s (worker)", "items/s", "labels/s", "call p50 s"],
        rows,
    )
    return (
        f"# Ingest: a pool of {args.items:,} items, {args.calls} label calls of {args.per_call:,}\n\n"
        "Goals (issue 12): import of 1,000,000 items <= 30 s end to end on PostgreSQL (`full`); "
        ">= 20,000 labels/s in calls of 10,000 on both.\n\n" + table + "\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--per-call", type=int, default=10_000)
    ap.add_argument("--modes", nargs="+", choices=["full", "embedded"], default=["full", "embedded"])
    args = ap.parse_args()
    assert args.calls * args.per_call <= args.items, "every label goes to a distinct item"
    log_dir = common.OUT_DIR / "ingest-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = [run_mode(m, args.items, args.calls, args.per_call, log_dir) for m in args.modes]
    md = report(results, args)
    print(md)
    common.write_report("ingest", "Ingest at scale", {"args": vars(args), "results": results}, md)


if __name__ == "__main__":
    main()
