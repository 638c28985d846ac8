"""Label-efficiency report: every method of labelq run through the service's simulation API.

    .venv/bin/python benchmarks/label_efficiency/run.py            # the full report (~40-50 min, 2 cores)
    .venv/bin/python benchmarks/label_efficiency/run.py --quick    # smoke test (1 seed, 2 rounds)
    .venv/bin/python benchmarks/label_efficiency/run.py --collect  # rebuild REPORT.md from results.json

What it does, over HTTP only (like a user would):

1. builds the data (``data.py``: MNIST-10k -> scikit-learn digits, Amazon -> Yelp on MiniLM
   embeddings, EADA's toy example), cached under ``~/.cache/labelq/label_efficiency``;
2. starts ``--servers`` embedded ``labelq serve`` processes (default 2: one simulation per core),
   each in its own temporary data dir on a free port, with ``OMP_NUM_THREADS=1``;
3. per dataset and server: creates a project, uploads the source (labeled), the target train pool
   with ``hidden_labels=true`` and the target eval split (labeled); on the first server trains the
   source-only network from scratch (``POST /projects/{id}/train``), downloads its weights and
   uploads them to the other servers (``POST /projects/{id}/checkpoints``), so every simulation
   starts from the same network;
4. runs the experiments as ``POST /projects/{id}/simulate`` jobs, two at a time, saving each job's
   curves (``GET /simulations/{id}``) and plot (``GET /simulations/{id}/plot.png``);
5. writes ``results.json``, the plots and ``REPORT.md`` beside this file (``--out``).

The pieces, beside this file: ``data.py`` (the data), ``experiments.py`` (the datasets' settings
and which strategy + objective runs on which dataset with which schedule), ``servers.py`` (the
embedded servers and the HTTP calls), ``stats.py`` (mean ± std, AUC, curves cut after a round),
``tables.py``, ``checks.py`` and ``report.py`` (REPORT.md). This file is the command: the
arguments, the run (one worker thread per server taking experiments from one queue; ``--resume``)
and ``--collect``.

The discussion in the report is read from ``discussion.md`` beside this file (hand-written against
the committed results); everything else in REPORT.md is generated.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import data as datasets  # noqa: E402
from experiments import (  # noqa: E402
    Dataset,
    Experiment,
    _run,
    _scratch_args,
    make_datasets,
    make_experiments,
    per_round_budget,
)
from report import build_report  # noqa: E402
from servers import Fleet, Log, _alive, run_experiment  # noqa: E402
from stats import pick_best_ce  # noqa: E402

COMMAND = "python benchmarks/label_efficiency/run.py"
SEEDS = [0, 1, 2]
PARTIAL = "results.partial.json"


def weights_cache(d: Dataset, quick: bool) -> Path:
    """Where the source-only weights of a run are kept (outside the repository), for --resume."""
    root = datasets.cache_root() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    return root / f"source_only_{d.key}{'_quick' if quick else ''}.safetensors"


def run_all(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    t_start = time.monotonic()
    started = datetime.now(UTC)
    log = Log(out / "run.log")
    wanted = set(args.only or ["mnist_digits", "amazon_yelp", "toy"])
    dsets = [d for d in make_datasets(args.quick) if d.key in wanted]
    seeds = [0] if args.quick else SEEDS
    previous: dict[str, Any] | None = None
    if args.resume and (out / PARTIAL).is_file():
        previous = json.loads((out / PARTIAL).read_text())
        n_done = sum(len(d["experiments"]) for d in previous["datasets"].values())
        log(f"resuming from {out / PARTIAL}: {n_done} experiments done")
    log(f"building data for {[d.key for d in dsets]}")
    paths = {d.key: d.build() for d in dsets}
    pools = {}
    import numpy as np

    for d in dsets:
        for name in ("target", "eval", "source"):
            with np.load(paths[d.key][name]) as z:
                pools[f"{d.key}/{name}"] = int(z["y"].shape[0])

    results: dict[str, Any] = {"datasets": {}} if previous is None else previous
    segments = [] if previous is None else list(previous.get("segments", []))
    fleet = Fleet(args.servers, dsets, paths, log)
    try:
        for d in dsets:
            cached = weights_cache(d, args.quick)
            old = results["datasets"].get(d.key)
            weights = None
            if old is not None:
                if not cached.is_file() or datasets.sha256_file(cached) != old["source_weights_sha256"]:
                    raise SystemExit(f"--resume: the source-only weights of {d.key} are not in {cached}")
                weights = cached.read_bytes()
            rec = fleet.setup(d, weights)
            if old is None:
                cached.write_bytes(fleet.weights[d.key])
                results["datasets"][d.key] = {
                    "title": d.title,
                    "source_items": pools[f"{d.key}/source"],
                    "pool_items": pools[f"{d.key}/target"],
                    "eval_items": pools[f"{d.key}/eval"],
                    "per_round": per_round_budget(d, pools[f"{d.key}/target"]),
                    "rounds": d.rounds,
                    "short_rounds": d.short_rounds,
                    "architecture": d.architecture,
                    "arch_args": _scratch_args(d),
                    "source_train": d.source_train,
                    "sim": d.sim,
                    "source_only_accuracy": rec["source_acc"],
                    "source_train_seconds": round(rec["seconds"], 1),
                    "source_weights_sha256": datasets.sha256_file(cached),
                    "experiments": {},
                }
        exps = [e for d in dsets for e in make_experiments(d, pools[f"{d.key}/target"])]
        if args.experiments:
            exps = select_experiments(exps, args.experiments)
        by_key = {d.key: d for d in dsets}
        run_queue(fleet, exps, by_key, seeds, results, out, log, t_start, segments)
    finally:
        fleet.stop()
    segments.append(round(time.monotonic() - t_start, 1))
    results["segments"] = segments
    results["meta"] = meta(args, started, sum(segments), seeds)
    return results


def select_experiments(exps: list[Experiment], names: list[str]) -> list[Experiment]:
    """The experiments named (e.g. single_5), refusing any that waits for one left out."""
    kept = [e for e in exps if e.name in names]
    ids = {e.id for e in kept}
    for e in kept:
        missing = [dep for dep in e.deps if dep not in ids]
        if missing:
            raise SystemExit(f"--experiments: {e.id} needs {missing}; name them too")
    if not kept:
        raise SystemExit(f"--experiments: none of {names} is among {sorted({e.name for e in exps})}")
    return kept


def run_queue(fleet: Fleet, exps, by_key, seeds, results, out: Path, log: Log, t_start, segments) -> None:
    """One thread per server; each takes the costliest experiment whose dependencies are done. After
    each experiment the results so far go to results.partial.json (for --resume)."""
    done: set[str] = {f"{key}/{name}" for key, d in results["datasets"].items() for name in d["experiments"]}
    pending = sorted((e for e in exps if e.id not in done), key=lambda e: -e.cost)
    if done:
        log(f"already done: {sorted(done)}")
    lock = threading.Condition()
    errors: queue.Queue[BaseException] = queue.Queue()

    def ready(e: Experiment) -> bool:
        return all(dep in done for dep in e.deps)

    def complete_da(e: Experiment) -> None:
        dres = results["datasets"][e.dataset]
        grid = {}
        for name, res in dres["experiments"].items():
            if name.startswith("grid"):
                grid |= dict(zip(res["labels"], res["runs"], strict=True))
        best = pick_best_ce(grid, by_key[e.dataset].rounds)
        dres["best_ce_strategy"] = best
        objectives = e.labels
        e.runs = [_run(best, o) for o in objectives]
        e.labels = [f"{best}+{o}" for o in objectives]
        log(f"{e.id}: best ce strategy by {by_key[e.dataset].rounds}-round AUC is {best}")

    def save_partial() -> None:
        partial = dict(results, segments=[*segments, round(time.monotonic() - t_start, 1)])
        tmp = out / (PARTIAL + ".tmp")
        tmp.write_text(json.dumps(partial, indent=1) + "\n")
        os.replace(tmp, out / PARTIAL)

    def attempt(index: int, e: Experiment) -> dict[str, Any]:
        for trial in range(3):
            server = fleet.servers[index]
            try:
                return run_experiment(server, by_key[e.dataset], e, seeds, out, log)
            except (httpx.TransportError, ConnectionError) as exc:
                if trial == 2 or fleet.stopping or (server.proc.poll() is None and _alive(server)):
                    raise
                log(f"{e.id}: server {index} unreachable ({exc}); retrying on a fresh server")
                fleet.replace(index)
        raise AssertionError("unreachable")

    def worker(index: int) -> None:
        while True:
            with lock:
                while True:
                    if not errors.empty():
                        return
                    todo = [e for e in pending if ready(e)]
                    if todo:
                        e = todo[0]
                        pending.remove(e)
                        break
                    if not pending:
                        return
                    lock.wait(timeout=5)
                if e.name.startswith("da_"):
                    complete_da(e)
            try:
                res = attempt(index, e)
            except BaseException as exc:  # noqa: BLE001
                log(f"{e.id} FAILED: {exc}\n{traceback.format_exc()}")
                errors.put(exc)
                with lock:
                    lock.notify_all()
                return
            with lock:
                results["datasets"][e.dataset]["experiments"][e.name] = res
                done.add(e.id)
                save_partial()
                lock.notify_all()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(fleet.servers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not errors.empty():
        raise errors.get()


def meta(args: argparse.Namespace, started: datetime, seconds: float, seeds: list[int]) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gib = float("nan")
    versions = {}
    for mod in ("torch", "numpy", "sklearn", "sentence_transformers"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = "n/a"
    commit = ""
    with contextlib.suppress(OSError):
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    return {
        "command": command_line(args),
        "started_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "wall_seconds": round(seconds, 1),
        "servers": args.servers,
        "seeds": seeds,
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gib": round(mem_gib, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            **versions,
        },
        "commit": commit,
        "embedder": datasets.EMBEDDER,
        "toy": datasets.TOY,
    }


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run (the options that choose what runs and where)."""
    parts = [COMMAND] + (["--quick"] if args.quick else [])
    parts += ["--only", *args.only] if args.only else []
    parts += ["--experiments", *args.experiments] if args.experiments else []
    if not args.quick and args.out.resolve() != HERE:
        parts += ["--out", os.path.relpath(args.out.resolve(), REPO)]
    return " ".join(parts)


def _rounded(obj: Any) -> Any:
    """Floats to 6 decimals (accuracies are k / n_eval), to keep results.json small."""
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded(v) for v in obj]
    return obj


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke test: 1 seed, 2 rounds, 1 epoch")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: beside run.py; --quick: a temporary folder)",
    )
    p.add_argument("--servers", type=int, default=2, help="embedded servers = simulations in parallel")
    p.add_argument("--only", nargs="*", choices=["mnist_digits", "amazon_yelp", "toy"])
    p.add_argument(
        "--experiments",
        nargs="+",
        metavar="NAME",
        help="run only these experiments of the chosen datasets (e.g. single_5 single_10), into --out",
    )
    p.add_argument("--collect", action="store_true", help="only rebuild REPORT.md from results.json")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from results.partial.json (same source-only weights)",
    )
    args = p.parse_args(argv)
    # SIGTERM -> SystemExit, so that the embedded servers are stopped by run_all's finally
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="labelq-label-efficiency-quick-")) if args.quick else HERE
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.collect:
        results = json.loads((out / "results.json").read_text())
    else:
        if not args.resume:
            (out / "run.log").unlink(missing_ok=True)
            (out / PARTIAL).unlink(missing_ok=True)
        results = _rounded(run_all(args, out))
        (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
        (out / PARTIAL).unlink(missing_ok=True)
    (out / "REPORT.md").write_text(build_report(results, out))
    print(f"wrote {out / 'REPORT.md'} ({results['meta']['wall_seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
