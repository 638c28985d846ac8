"""50 concurrent clients on one project: each asks for rounds of 3-5 items and labels them.

    .venv/bin/python benchmarks/concurrency.py [--clients 50] [--seconds 120] [--modes full embedded]

Both run modes, each started from nothing by this script: ``full`` is PostgreSQL (a database of
its own), Redis (the local one, under a key prefix of its own), ``labelq serve`` and two
``labelq worker`` processes; ``embedded`` is one ``labelq serve`` with its embedded worker. Every
client loops ``POST /query-batch`` (``wait_seconds`` 30) -> poll ``GET /rounds/{id}`` while the
round scores -> ``POST /labels`` for its selection -> ``GET /projects/{id}`` (the budget left),
until the time is up. Reported per mode:
p50/p95/p99 latency per endpoint, rounds served per minute, 5xx answers, and three invariants
checked against the server afterwards: budget overspend, items served to two open rounds
(double-serves) and labels answered 200 that the server does not hold (lost labels).
Writes out/concurrency.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common
import httpx
import numpy as np
from stacks import running

ADMIN = "bench-concurrency-admin-key-0123456789"
CLASSES = ["a", "b", "c"]
N_TARGET = 20_000
WAIT_S = 30


# ------------------------------------------------------------------------------------ project


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def setup_project(url: str, budget: int) -> tuple[int, str]:
    """A project with a labeled source pool, an unlabeled target pool and a ready MLP checkpoint."""
    import torch
    from safetensors.torch import save as save_safetensors

    from models.networks import build_network

    http = httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {ADMIN}"})
    body = {"name": "load", "classes": CLASSES, "input_shape": [2], "budget": budget}
    res = http.post("/projects", json=body)
    res.raise_for_status()
    pid, key = res.json()["id"], res.json()["api_key"]
    http.headers["Authorization"] = f"Bearer {key}"
    rng = np.random.default_rng(0)
    pools = (
        ("source", _npz(x=rng.normal(size=(300, 2)).astype(np.float32), y=rng.integers(0, 3, 300))),
        ("target", _npz(x=rng.normal(size=(N_TARGET, 2)).astype(np.float32))),
    )
    for domain, data in pools:
        res = http.post(
            f"/projects/{pid}/pools",
            files={"file": ("p.npz", data)},
            data={"domain": domain, "wait_seconds": "60"},
        )
        assert res.status_code == 201, res.text
    torch.manual_seed(0)
    args = {"input_shape": [2], "num_classes": 3, "hidden": [16]}
    net = build_network("mlp", **args)
    weights = save_safetensors({k: v.contiguous() for k, v in net.state_dict().items()})
    res = http.post(
        f"/projects/{pid}/checkpoints",
        files={"file": ("w.safetensors", weights)},
        data={"architecture": "mlp", "arch_args": json.dumps(args), "wait_seconds": "60"},
    )
    assert res.status_code == 201, res.text
    return pid, key


# ------------------------------------------------------------------------------------ load


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    transport_errors: int = 0
    rounds: dict[int, list[int]] = field(default_factory=dict)  # round id -> item ids served
    labeled: set[int] = field(default_factory=set)  # item ids whose labels were answered 200
    labels_sent: int = 0

    def record(self, name: str, status: int, seconds: float) -> None:
        self.latencies[name].append(seconds)
        self.statuses[name][status] += 1


async def _call(tally: Tally, http: httpx.AsyncClient, name: str, method: str, path: str, **kw: Any) -> Any:
    start = time.perf_counter()
    try:
        res = await http.request(method, path, **kw)
    except httpx.HTTPError:
        tally.transport_errors += 1
        return None
    tally.record(name, res.status_code, time.perf_counter() - start)
    return res


async def client(index: int, url: str, key: str, pid: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(index)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=WAIT_S + 60) as http:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            body = {
                "project_id": pid,
                "budget": rng.randint(3, 5),
                "strategy": "entropy",
                "wait_seconds": WAIT_S,
                "idempotency_key": f"c{index}-r{n}",
            }
            res = await _call(tally, http, "POST /query-batch", "POST", "/query-batch", json=body)
            if res is None or res.status_code >= 500:
                await asyncio.sleep(1.0)
                continue
            if res.status_code == 409:
                return  # budget or pool exhausted: this client is done
            rnd = res.json()
            while rnd["status"] in ("pending", "scoring") and time.monotonic() < deadline + WAIT_S:
                await asyncio.sleep(float(res.headers.get("retry-after", "0.5")))
                res = await _call(tally, http, "GET /rounds/{id}", "GET", f"/rounds/{rnd['id']}")
                if res is not None and res.status_code == 200:
                    rnd = res.json()
            if rnd["status"] != "ready":
                continue
            items = [s["item_id"] for s in rnd["selections"]]
            tally.rounds[rnd["id"]] = items
            labels = [{"item_id": i, "label": rng.randrange(len(CLASSES))} for i in items]
            body = {"project_id": pid, "round_id": rnd["id"], "annotator": f"c{index}", "labels": labels}
            tally.labels_sent += len(labels)
            res = await _call(tally, http, "POST /labels", "POST", "/labels", json=body)
            if res is not None and res.status_code == 200:
                tally.labeled.update(items)
            await _call(tally, http, "GET /projects/{id}", "GET", f"/projects/{pid}")  # the budget left


def check(url: str, key: str, pid: int, tally: Tally) -> dict[str, Any]:
    """The invariants, read back from the server after the load."""
    http = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {key}"})
    project = http.get(f"/projects/{pid}").json()
    held: set[int] = set()
    offset = 0
    while True:
        page = http.get(
            f"/projects/{pid}/items",
            params={"domain": "target", "labeled": True, "limit": 10_000, "offset": offset},
        ).json()
        held.update(i["id"] for i in page["items"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            break
    served: dict[int, int] = defaultdict(int)
    for items in tally.rounds.values():
        for i in items:
            served[i] += 1
    return {
        "budget": project["budget"],
        "budget_spent": project["budget_spent"],
        "overspend": max(0, project["budget_spent"] - project["budget"]),
        "labeled_on_server": len(held),
        "spent_equals_labeled": project["budget_spent"] == len(held),
        "double_serves": sum(1 for n in served.values() if n > 1),
        "lost_labels": len(tally.labeled - held),
    }


def percentile(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def run_mode(mode: str, clients: int, seconds: float, log_dir: Path) -> dict[str, Any]:
    with running(mode, log_dir, admin_key=ADMIN) as url:
        pid, key = setup_project(url, budget=N_TARGET)
        common.log(f"{mode}: project ready; {clients} clients for {seconds:g} s")
        tally = Tally()

        async def load() -> None:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(client(i, url, key, pid, deadline, tally) for i in range(clients)))

        started = time.monotonic()
        asyncio.run(load())
        elapsed = time.monotonic() - started
        invariants = check(url, key, pid, tally)
    endpoints = {
        name: {
            "requests": len(lat),
            "p50_s": percentile(lat, 50),
            "p95_s": percentile(lat, 95),
            "p99_s": percentile(lat, 99),
            "statuses": dict(tally.statuses[name]),
            "5xx": sum(n for s, n in tally.statuses[name].items() if s >= 500),
        }
        for name, lat in sorted(tally.latencies.items())
    }
    requests = sum(e["requests"] for e in endpoints.values())
    return {
        "mode": mode,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_s": requests / elapsed,
        "rounds_served": len(tally.rounds),
        "rounds_per_min": len(tally.rounds) / elapsed * 60,
        "labels_sent": tally.labels_sent,
        "5xx": sum(e["5xx"] for e in endpoints.values()),
        "transport_errors": tally.transport_errors,
        "endpoints": endpoints,
        **invariants,
    }


def markdown(results: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["mode"],
            name,
            e["requests"],
            e["p50_s"],
            e["p95_s"],
            e["p99_s"],
            e["5xx"],
            ", ".join(f"{s}: {n}" for s, n in sorted(e["statuses"].items())),
        ]
        for r in results
        for name, e in r["endpoints"].items()
    ]
    table = common.markdown_table(
        ["mode", "endpoint", "requests", "p50 s", "p95 s", "p99 s", "5xx", "statuses"], rows
    )
    summary = common.markdown_table(
        [
            "mode",
            "clients",
            "s",
            "req/s",
            "rounds/min",
            "5xx",
            "transport errors",
            "overspend",
            "double-serves",
            "lost labels",
            "spent = labeled",
        ],
        [
            [
                r["mode"],
                r["clients"],
                r["seconds"],
                r["requests_per_s"],
                r["rounds_per_min"],
                r["5xx"],
                r["transport_errors"],
                r["overspend"],
                r["double_serves"],
                r["lost_labels"],
                r["spent_equals_labeled"],
            ]
            for r in results
        ],
    )
    goals = (
        "Goals (issue 10): on the full stack with 2 workers 0 5xx, `GET` and `POST /labels` p99 under "
        "1 s, at least 50 rounds served per minute; on the embedded default 0 5xx; never an "
        "overspend, a double-serve or a lost label."
    )
    return f"{goals}\n\n{summary}\n\n{table}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--modes", nargs="+", choices=["full", "embedded"], default=["full", "embedded"])
    args = ap.parse_args()
    log_dir = common.OUT_DIR / "concurrency-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = [run_mode(mode, args.clients, args.seconds, log_dir) for mode in args.modes]
    common.write_report(
        "concurrency",
        f"{args.clients} concurrent clients, rounds of 3-5, {args.seconds:g} s per mode",
        {"results": results},
        markdown(results),
    )


if __name__ == "__main__":
    main()
