"""A round's service overhead: ``POST /query-batch`` -> ready, against the bare pass + selection.

    .venv/bin/python benchmarks/round_overhead.py [--items 100000] [--dim 512] [--budget 100]
                                                  [--repeats 5] [--hidden 1024 1024 64]

The full stack (benchmarks/stacks.py) with one worker pinned to CPU 0, a pool of ``--items`` x
``--dim`` float32 embeddings and an mlp checkpoint. Each round runs on a checkpoint uploaded just
before it (the same weights, a new id), so nothing is cached: the round makes its forward pass,
selects K=``--budget`` and saves its picks, timed from the request to the ready round (the client
long-polls with ``wait_seconds``, as a client would). The bare work is the same pass
(``models.inference.predict`` over the same array) and the same strategy function, in this
process on CPU 0 with one thread: what remains is the service's overhead (request, queue,
loading candidates, caching outputs, saving the round, answering). The bare picks must equal the
round's (checked).

Goal (issue 12): overhead <= 10 % of the bare pass + selection at 100,000 items.
Writes out/round_overhead.{json,md}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import httpx
import numpy as np
from scale_out import _project, upload_checkpoint, upload_pool, weights, write_pool
from stacks import service

ADMIN = "bench-round-overhead-admin-key-0123456789"
STRATEGIES = ["entropy", "coreset"]


def bare(
    pool: np.ndarray, blob: bytes, arch_args: dict[str, Any], strategy: str, budget: int
) -> tuple[float, list[int]]:
    """Seconds of the pass + selection alone, and the picked rows."""
    import torch
    from safetensors.torch import load

    from models.acquisition import AcquisitionContext, get_strategy
    from models.inference import predict
    from models.networks import build_network

    net = build_network("mlp", **arch_args)
    net.load_state_dict(load(blob))
    info = get_strategy(strategy)
    started = time.perf_counter()
    out = predict(net, torch.from_numpy(pool), features=info.needs_features)
    ctx = AcquisitionContext(unlabeled=out, generator=torch.Generator().manual_seed(0), n_total=len(pool))
    sel = info.fn(ctx, budget)
    return time.perf_counter() - started, sel.indices.tolist()


def served(http: httpx.Client, pid: int, ckpt: int, strategy: str, budget: int) -> dict[str, Any]:
    """The round's time and picks, and where the time went: before its job started (request,
    queue), the job, after it ended (the answer)."""
    body = {"project_id": pid, "checkpoint_id": ckpt, "budget": budget, "strategy": strategy}
    wall = time.time()
    started = time.perf_counter()
    rnd = http.post("/query-batch", json={**body, "wait_seconds": 60}).json()
    while rnd["status"] in ("pending", "scoring"):
        rnd = http.get(f"/rounds/{rnd['id']}").json()
    seconds = time.perf_counter() - started
    assert rnd["status"] == "ready", rnd
    http.post(f"/rounds/{rnd['id']}/cancel").raise_for_status()
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    began, ended = (datetime.fromisoformat(job[k]).timestamp() for k in ("started_at", "finished_at"))
    return {
        "seconds": seconds,
        "picks": [s["external_id"] for s in rnd["selections"]],
        "before_job_s": began - wall,
        "job_s": ended - began,
        "after_job_s": wall + seconds - ended,
    }


def run(args: argparse.Namespace, log_dir: Path, pool_path: Path) -> list[dict[str, Any]]:
    """Per strategy: the round times, the bare times, and the overhead of the medians."""
    import torch

    torch.set_num_threads(1)
    os.sched_setaffinity(0, {0})
    blob, arch_args = weights(args.dim, args.hidden)
    pool = np.load(pool_path)  # in memory: the bare pass reads no file
    limit = str(pool.nbytes + 2**24)
    with service(
        "full", log_dir, admin_key=ADMIN, workers=0, max_upload_bytes=limit, max_archive_bytes=limit
    ) as svc:
        http = httpx.Client(base_url=svc.url, timeout=900, headers={"Authorization": f"Bearer {ADMIN}"})
        svc.start_workers(1, pin=True)  # first: a project's names are checked against its catalog
        pid = _project(http, args.dim, budget=10 * args.budget)
        upload_pool(http, pid, pool_path)
        results = []
        for strategy in STRATEGIES:
            rounds, bares = [], []
            for _ in range(args.repeats):
                ckpt = upload_checkpoint(http, pid, blob, arch_args)
                one = served(http, pid, ckpt, strategy, args.budget)
                bare_s, rows = bare(pool, blob, arch_args, strategy, args.budget)
                picked_rows = [int(e.rsplit("-", 1)[1]) for e in one.pop("picks")]  # ids pool<id>-<row>
                assert picked_rows == rows, strategy
                rounds.append(one)
                bares.append(bare_s)
                common.log(f"{strategy}: round {one}, bare {bare_s:.2f} s")
            r, b = statistics.median(x["seconds"] for x in rounds), statistics.median(bares)
            results.append({"strategy": strategy, "rounds": rounds, "bare_s": bares, "overhead": (r - b) / b})
        return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    rows = [
        [
            r["strategy"],
            f"{statistics.median(x['seconds'] for x in r['rounds']):.2f}",
            f"{statistics.median(r['bare_s']):.2f}",
            f"{100 * r['overhead']:.1f} %",
            " + ".join(
                f"{statistics.median(x[k] for x in r['rounds']):.2f}"
                for k in ("before_job_s", "job_s", "after_job_s")
            ),
        ]
        for r in results
    ]
    table = common.markdown_table(
        ["strategy", "round s (median)", "bare pass + selection s", "overhead", "before job + job + after s"],
        rows,
    )
    return (
        f"# Round overhead: K={args.budget} over {args.items:,} x {args.dim} (mlp {args.hidden}), "
        f"{args.repeats} rounds each\n\nGoal (issue 12): overhead <= 10 %.\n\n" + table + "\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--hidden", type=int, nargs="+", default=[1024, 1024, 64])
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    log_dir = common.OUT_DIR / "round-overhead-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pool.npy"
        write_pool(path, args.items, args.dim)
        results = run(args, log_dir, path)
    md = report(results, args)
    print(md)
    common.write_report("round_overhead", "Round overhead", {"args": vars(args), "results": results}, md)


if __name__ == "__main__":
    main()
