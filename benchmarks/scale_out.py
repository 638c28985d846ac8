"""Scale-out: one round over a 1,000,000-item pool scored by 1 worker, then by 2 (sharded).

    .venv/bin/python benchmarks/scale_out.py [--items 1000000] [--dim 512] [--hidden 1024 1024 64]
                                             [--budget 1000] [--shard-rows 50000]

The full stack (benchmarks/stacks.py: PostgreSQL, Redis, ``labelq serve``) with a pool of
``--items`` x ``--dim`` float32 embeddings and an mlp checkpoint uploaded twice (the same weights
under two ids, so the second run finds no cached outputs). An import worker on the default queue
loads the pool and leaves; then the scoring workers, on the gpu queue, each pinned to its own core
(``taskset``; worker i on CPU i) so that 2 workers against 1 on this 2-core machine is a fair
ratio. For each checkpoint: an entropy round and a coreset round of K=``--budget`` (each cancelled
after it is read, so both runs see the same candidates), timed from ``POST /query-batch`` to a
ready round; 1 worker on the first checkpoint, 2 on the second. The 2-worker picks must equal the
1-worker picks (checked). Peak RSS (VmHWM) of each scoring worker's processes is read at the end.

Goals (issue 12): >= 1.8x for entropy with 2 workers, the same picks, each worker < 2 GB peak RSS.
Writes out/scale_out.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import httpx
import numpy as np
from stacks import Service, peak_rss_mb, service

ADMIN = "bench-scale-out-admin-key-0123456789abcdef"
CLASSES = [str(i) for i in range(10)]
STRATEGIES = ["entropy", "coreset"]


def _project(http: httpx.Client, dim: int, budget: int) -> int:
    body = {"name": "scale-out", "classes": CLASSES, "input_shape": [dim], "budget": budget}
    res = http.post("/projects", json=body)
    res.raise_for_status()
    http.headers["Authorization"] = f"Bearer {res.json()['api_key']}"
    return int(res.json()["id"])


def _wait_job(http: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    while job["status"] in ("queued", "running"):
        time.sleep(0.2)
        job = http.get(f"/jobs/{job['id']}").json()
    assert job["status"] == "succeeded", job
    return job


def write_pool(path: Path, n: int, dim: int) -> None:
    """``n`` x ``dim`` standard normal float32 rows as an .npy, written in slices (seed 0)."""
    x = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, dim))
    rng = np.random.default_rng(0)
    for lo in range(0, n, 100_000):
        x[lo : lo + 100_000] = rng.normal(size=(min(100_000, n - lo), dim))
    x.flush()


def upload_pool(http: httpx.Client, pid: int, path: Path) -> float:
    """Upload the .npy as the target pool (ids ``pool<id>-<row>``) and wait until it is imported."""
    started = time.perf_counter()
    with open(path, "rb") as f:
        res = http.post(
            f"/projects/{pid}/pools",
            files={"file": ("pool.npy", f)},
            data={"domain": "target", "wait_seconds": "60"},
        )
    assert res.status_code in (201, 202), res.text
    _wait_job(http, res.json()["job"])
    return time.perf_counter() - started


def upload_checkpoint(http: httpx.Client, pid: int, weights: bytes, arch_args: dict[str, Any]) -> int:
    res = http.post(
        f"/projects/{pid}/checkpoints",
        files={"file": ("w.safetensors", weights)},
        data={"architecture": "mlp", "arch_args": json.dumps(arch_args), "wait_seconds": "60"},
    )
    assert res.status_code in (201, 202), res.text
    _wait_job(http, res.json()["job"])
    return int(res.json()["checkpoint"]["id"])


def weights(dim: int, hidden: list[int]) -> tuple[bytes, dict[str, Any]]:
    import torch
    from safetensors.torch import save

    from models.networks import build_network

    torch.manual_seed(0)
    arch_args = {"input_shape": [dim], "num_classes": len(CLASSES), "hidden": hidden}
    net = build_network("mlp", **arch_args)
    return save({k: v.contiguous() for k, v in net.state_dict().items()}), arch_args


def one_round(
    svc: Service, http: httpx.Client, pid: int, ckpt: int, strategy: str, budget: int
) -> dict[str, Any]:
    started = time.perf_counter()
    body = {
        "project_id": pid,
        "checkpoint_id": ckpt,
        "budget": budget,
        "strategy": strategy,
        "wait_seconds": 60,
    }
    res = http.post("/query-batch", json=body)
    assert res.status_code in (200, 201, 202), res.text
    rnd = res.json()
    while rnd["status"] in ("pending", "scoring"):
        time.sleep(0.2)
        rnd = http.get(f"/rounds/{rnd['id']}").json()
    seconds = time.perf_counter() - started
    assert rnd["status"] == "ready", rnd
    http.post(f"/rounds/{rnd['id']}/cancel").raise_for_status()
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    shards = _sql(
        svc, "SELECT worker, count(*) FROM jobs WHERE parent_id = %s GROUP BY worker", rnd["job_id"]
    )
    span = "SELECT min(started_at), max(finished_at) FROM jobs WHERE parent_id = %s"
    ((first, last),) = _sql(svc, span, rnd["job_id"])
    began, ended = (
        datetime.fromisoformat(job[k]).replace(tzinfo=None) for k in ("started_at", "finished_at")
    )
    return {
        "strategy": strategy,
        "seconds": seconds,
        "job_s": _seconds(job),
        "picks": [s["external_id"] for s in rnd["selections"]],
        "shards_by_worker": dict(shards),
        # the round's own work before the first shard started and after the last one finished
        "before_shards_s": (first - began).total_seconds() if first else None,
        "after_shards_s": (ended - last).total_seconds() if last else None,
    }


def _seconds(job: dict[str, Any]) -> float:
    ended, started = (datetime.fromisoformat(job[k]) for k in ("finished_at", "started_at"))
    return (ended - started).total_seconds()


def _sql(svc: Service, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(svc.env["LABELQ_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def run(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    limit = str(args.items * args.dim * 4 + 2**24)
    settings = {
        "max_upload_bytes": limit,
        "max_archive_bytes": limit,
        "scoring_shard_rows": str(args.shard_rows),
    }
    with service("full", log_dir, admin_key=ADMIN, workers=0, max_wait_seconds="60", **settings) as svc:
        http = httpx.Client(base_url=svc.url, timeout=900, headers={"Authorization": f"Bearer {ADMIN}"})
        importer = svc.start_workers(1, "--queues", "default")  # first: it publishes the catalog
        pid = _project(http, args.dim, budget=10 * args.budget)
        common.log(f"uploading and importing {args.items:,} x {args.dim}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pool.npy"
            write_pool(path, args.items, args.dim)
            import_s = upload_pool(http, pid, path)
        blob, arch_args = weights(args.dim, args.hidden)
        checkpoints = [upload_checkpoint(http, pid, blob, arch_args) for _ in range(2)]
        svc.stop(importer)
        runs = []
        for n_workers, ckpt in zip((1, 2), checkpoints, strict=True):
            workers = svc.start_workers(n_workers, "--queues", "gpu", pin=True)
            rounds = []
            for strategy in STRATEGIES:
                common.log(f"{n_workers} worker(s): {strategy} K={args.budget} on checkpoint {ckpt}")
                rounds.append(one_round(svc, http, pid, ckpt, strategy, args.budget))
                common.log(f"  {rounds[-1]['seconds']:.1f} s")
            rss = [peak_rss_mb(w.pid) for w in workers]
            svc.stop(workers)
            runs.append({"workers": n_workers, "checkpoint": ckpt, "rounds": rounds, "peak_rss_mb": rss})
        return {"import_s": import_s, "runs": runs}


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    one, two = result["runs"]
    rows = []
    for r1, r2 in zip(one["rounds"], two["rounds"], strict=True):
        same = r1["picks"] == r2["picks"]
        rows.append(
            [
                r1["strategy"],
                f"{r1['seconds']:.1f}",
                f"{r2['seconds']:.1f}",
                f"{r1['seconds'] / r2['seconds']:.2f}x",
                f"{r1['before_shards_s']:.1f} + {r1['after_shards_s']:.1f}",
                f"{r2['before_shards_s']:.1f} + {r2['after_shards_s']:.1f}",
                "yes" if same else "NO",
                ", ".join(str(n) for n in sorted(r2["shards_by_worker"].values())) or "-",
            ]
        )
    table = common.markdown_table(
        [
            "strategy",
            "1 worker s",
            "2 workers s",
            "speed-up",
            "outside shards s (1)",
            "outside shards s (2)",
            "same picks",
            "shards per worker (2)",
        ],
        rows,
    )
    rss = ", ".join(f"{mb:,.0f}" for run in result["runs"] for mb in run["peak_rss_mb"])
    return (
        f"# Scale-out: rounds of K={args.budget:,} over {args.items:,} x {args.dim} (mlp {args.hidden})\n\n"
        "Goals (issue 12): >= 1.8x for entropy with 2 workers (one core each), the same picks, "
        "peak RSS of each worker < 2 GB.\n\n"
        + table
        + "\n\n*Outside shards*: the round's work before its first shard starts (loading the "
        "candidates, planning) + after its last shard ends (gathering the outputs, selecting, saving)."
        + f" Shards of {args.shard_rows:,} rows. Peak RSS per scoring worker (MB; the 1-worker run, "
        f"then the two): {rss}. Pool upload and import: {result['import_s']:.1f} s.\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--hidden", type=int, nargs="+", default=[1024, 1024, 64])
    ap.add_argument("--budget", type=int, default=1000)
    ap.add_argument("--shard-rows", type=int, default=50_000)  # the setting's default
    args = ap.parse_args()
    log_dir = common.OUT_DIR / "scale-out-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    result = run(args, log_dir)
    md = report(result, args)
    print(md)
    common.write_report("scale_out", "Scale-out", {"args": vars(args), **result}, md)


if __name__ == "__main__":
    main()
