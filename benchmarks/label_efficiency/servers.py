"""The embedded ``labelq serve`` servers of the label-efficiency report and the HTTP calls to them.

- :class:`Server`: one embedded ``labelq serve`` process (API + one worker) in its own temporary
  data dir on a free port, with ``OMP_NUM_THREADS=1`` (one simulation per core);
- :func:`setup_project`: per dataset and server, creates a project, uploads the source (labeled),
  the target train pool with ``hidden_labels=true`` and the target eval split (labeled); on the
  first server trains the source-only network from scratch (``POST /projects/{id}/train``) and
  downloads its weights, on the others uploads them (``POST /projects/{id}/checkpoints``), so every
  simulation starts from the same network;
- :func:`run_experiment`: one experiment as a ``POST /projects/{id}/simulate`` job, with its
  curves (``GET /simulations/{id}``) and plot (``GET /simulations/{id}/plot.png``);
- :class:`Fleet`: the servers, a dead one replaced by a fresh one set up the same way;
- :class:`Log`: the run's progress log (stdout and ``run.log``).

Every call goes through the generated SDK (``labelq_client``, with :mod:`labelq_demo.sdk`).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from experiments import Dataset, Experiment, _scratch_args

from labelq_client import AuthenticatedClient
from labelq_client.api.checkpoints import download_weights, upload_checkpoint
from labelq_client.api.pools import upload_pool
from labelq_client.api.projects import create_project
from labelq_client.api.simulation import get_simulation, get_simulation_plot, simulate_project
from labelq_client.api.training import train_project
from labelq_client.models import BodyUploadCheckpoint, BodyUploadPool, JobOut, ProjectIn, SimulateIn, TrainIn
from labelq_client.types import File
from labelq_demo.sdk import call, connect, extra, follow
from service.local_server import ServerNotReady, free_port, stop_processes, wait_ready

REPO = Path(__file__).resolve().parents[2]
JOB_TIMEOUT_S = 3 * 3600


class Server:
    """One embedded ``labelq serve`` (API + one worker) in its own temporary data dir."""

    def __init__(self, index: int, log_dir: Path) -> None:
        self.index = index
        self.dir = Path(tempfile.mkdtemp(prefix=f"labelq-bench-le-{index}-"))
        self.port = free_port()
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
        try:
            wait_ready(self.url, [self.proc], timeout)
        except ServerNotReady as exc:
            raise RuntimeError(f"server {self.index}: {exc}") from None
        self.admin_key = (self.dir / ".labelq" / "admin.key").read_text().strip()

    def stop(self) -> None:
        if self.log.closed:
            return
        stop_processes([self.proc], signal.SIGINT, timeout=40)  # serve stops its worker first
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


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


def _job(client: AuthenticatedClient, job: JobOut, log: Log, what: str) -> JobOut:
    last = [0.0]

    def on_progress(j: JobOut) -> None:
        if time.monotonic() - last[0] > 60:
            last[0] = time.monotonic()
            log(f"{what}: {100 * float(j.progress or 0):.0f}% {j.message or ''}")

    return follow(client, job, on_progress, timeout=JOB_TIMEOUT_S, poll_max=3.0)


def setup_project(
    server: Server, d: Dataset, paths: dict[str, Path], weights: bytes | None, log: Log
) -> tuple[dict[str, Any], bytes]:
    """Project + pools on ``server``; the source-only network trained there (``weights`` None) or
    uploaded (``weights`` from the first server). Returns the project record and the weights."""
    assert server.admin_key is not None
    with connect(server.url, server.admin_key) as admin:
        body = ProjectIn(
            name=f"label-efficiency-{d.key}",
            classes=d.classes,
            budget=1,
            input_shape=d.input_shape,
            default_objective="ce",
        )
        project = call(create_project.sync_detailed, client=admin, body=body)
    pid, key = project.id, project.api_key
    with connect(server.url, key) as api:
        for name, domain, split, hidden in (
            ("source", "source", "train", False),
            ("target", "target", "train", True),
            ("eval", "target", "eval", False),
        ):
            with open(paths[name], "rb") as fh:
                form = BodyUploadPool(
                    file=File(payload=fh, file_name=paths[name].name),
                    domain=domain,  # type: ignore[arg-type]
                    split=split,  # type: ignore[arg-type]
                    hidden_labels=hidden,
                    wait_seconds=60,
                )
                up = call(upload_pool.sync_detailed, pid, client=api, body=form)
            _job(api, up.job, log, f"server {server.index} {d.key}: import {name}")
        t0 = time.monotonic()
        if weights is None:
            fields = {
                "objective": "ce",
                "architecture": d.architecture,
                "arch_args": d.arch_args,
                "from_scratch": True,
                **d.source_train,
                "wait_seconds": 0,
            }
            job = call(train_project.sync_detailed, pid, client=api, body=TrainIn.from_dict(fields)).job
            job = _job(api, job, log, f"server {server.index} {d.key}: source-only training")
            result = extra(job.result)
            ckpt_id = result["checkpoint_id"]
            weights = call(download_weights.sync_detailed, ckpt_id, client=api).payload.read()
            source_acc = (result.get("metrics") or {}).get("eval_accuracy")
            log(f"server {server.index} {d.key}: source-only network trained, eval accuracy {source_acc}")
        else:
            form = BodyUploadCheckpoint(
                file=File(payload=io.BytesIO(weights), file_name="source_only.safetensors"),
                architecture=d.architecture,
                arch_args=json.dumps(_scratch_args(d)),
                wait_seconds=60,
            )
            ckpt = call(upload_checkpoint.sync_detailed, pid, client=api, body=form)
            ckpt_id = ckpt.checkpoint.id
            if ckpt.checkpoint.status != "ready":
                _job(api, ckpt.job, log, f"server {server.index} {d.key}: checkpoint upload")
            source_acc = None
        seconds = time.monotonic() - t0
    record = {"id": pid, "key": key, "checkpoint": ckpt_id, "source_acc": source_acc, "seconds": seconds}
    server.projects[d.key] = record
    return record, weights


def run_experiment(server: Server, d: Dataset, exp: Experiment, seeds: list[int], out: Path, log: Log):
    proj = server.projects[d.key]
    t0 = time.monotonic()
    with connect(server.url, proj["key"]) as api:
        body = {
            "runs": exp.runs,
            "schedule": exp.schedule,
            "rounds": None,
            "per_round": None,
            "seeds": seeds,
            "epochs": d.sim["epochs"],
            "batch_size": d.sim["batch_size"],
            "lr": d.sim["lr"],
            "optimizer": d.sim["optimizer"],
            "checkpoint_id": proj["checkpoint"],
        }
        answer = call(simulate_project.sync_detailed, proj["id"], client=api, body=SimulateIn.from_dict(body))
        job_id = answer.job.id
        log(
            f"server {server.index}: {exp.id} started as simulation job {job_id}: "
            f"{exp.labels}, {exp.schedule}"
        )
        _job(api, answer.job, log, f"server {server.index} {exp.id}")
        sim = call(get_simulation.sync_detailed, job_id, client=api).to_dict()
        png = call(get_simulation_plot.sync_detailed, job_id, client=api).payload.read()
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


def _alive(server: Server) -> bool:
    try:
        return httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
