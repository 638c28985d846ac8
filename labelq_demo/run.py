"""The labelq demo: active domain adaptation from MNIST (source) to scikit-learn digits (target).

``run_demo`` drives a running labelq server through its public REST API only, as a user would,
with the generated SDK (``labelq_client``, through :mod:`labelq_demo.sdk`):

1. fetch and cache the data (:mod:`labelq_demo.datasets`), build the pools;
2. create a project (classes "0".."9", budget = rounds x budget_per_round) with the admin key and
   continue with the project key it returns;
3. upload MNIST 10k as the labeled source train pool, the digits train split *without labels* as
   the target train pool, and the labeled digits eval split as the target eval pool;
4. train a LeNet on the source (from scratch) and report its target eval accuracy (source only);
5. for each round: ``POST /query-batch`` -> a simulated annotator answers from the hidden truth
   (``target_truth.npz``) -> ``POST /labels`` -> fine-tune the latest checkpoint with ``ce`` on
   source + labeled target -> one table row (round, strategy, labels spent, budget left, accuracy).

Budget per round: 20 labels by default. 1% of the 1,258-item target pool (rounded up: 13) also
works but moves accuracy less per round; 20 x 5 rounds = 100 labels (8% of the pool) shows a clear
learning curve while the whole demo stays at a few minutes on 2 CPU cores (LeNet, 2 source epochs,
2 fine-tune epochs per round).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tqdm import tqdm

from labelq_client import AuthenticatedClient
from labelq_client.api.health import healthz
from labelq_client.api.labels import submit_labels
from labelq_client.api.pools import upload_pool
from labelq_client.api.projects import create_project, get_project, get_project_metrics
from labelq_client.api.rounds import query_batch
from labelq_client.api.training import train_project
from labelq_client.models import BodyUploadPool, JobOut, LabelsIn, ProjectIn, QueryBatchIn, TrainIn
from labelq_client.types import File
from labelq_demo.datasets import default_cache_dir, make_demo_pools
from labelq_demo.sdk import JOB_TERMINAL, call, connect, extra, follow, wait_round

__all__ = ["DEFAULT_BUDGET_PER_ROUND", "build_parser", "main", "print_table", "run_demo"]

DEFAULT_BUDGET_PER_ROUND = 20
CLASSES = [str(d) for d in range(10)]
INPUT_SHAPE = [1, 28, 28]
ARCHITECTURE = "lenet"
ARCH_ARGS = {"num_classes": 10, "in_channels": 1, "input_size": 28}
JOB_TIMEOUT_S = 1800.0

Out = Callable[[str], Any]

_COLUMNS = (
    ("round", "round", "{:>5}"),
    ("strategy", "strategy", "{:<12}"),
    ("labels_spent", "labels spent", "{:>12}"),
    ("budget_left", "budget left", "{:>11}"),
    ("eval_accuracy", "target eval acc", "{:>15}"),
    ("atc_estimate", "est. acc (no labels)", "{:>20}"),
    ("stop_kappa", "kappa vs last", "{:>13}"),
)


def _fmt_cell(key: str, fmt: str, value: Any) -> str:
    if value is None:
        value = "-"
    elif key in ("eval_accuracy", "atc_estimate", "stop_kappa") and isinstance(value, int | float):
        value = f"{value:.4f}"
    return fmt.format(value)


def format_header() -> str:
    cells = [fmt.format(title) for _, title, fmt in _COLUMNS]
    return "  ".join(cells)


def format_row(row: dict[str, Any]) -> str:
    return "  ".join(_fmt_cell(key, fmt, row.get(key)) for key, _, fmt in _COLUMNS)


def print_table(rows: Sequence[dict[str, Any]], out: Out = print) -> None:
    """Print the demo's rows as a fixed-width table (header, rule, one line per row)."""
    header = format_header()
    out(header)
    out("-" * len(header))
    for row in rows:
        out(format_row(row))


@contextmanager
def _job_bar(desc: str, enabled: bool):
    """A tqdm bar in percent, fed from job polls (progress, items/s, ETA)."""
    bar = tqdm(
        total=100,
        desc=desc,
        unit="%",
        leave=False,
        disable=not enabled,
        file=sys.stderr,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    )

    def on_progress(job: JobOut) -> None:
        bar.n = min(max(float(job.progress or 0.0), 0.0), 1.0) * 100
        parts = [str(job.status)]
        if isinstance(job.items_per_s, float | int) and job.items_per_s:
            parts.append(f"{job.items_per_s:.0f} items/s")
        if isinstance(job.eta_s, float | int) and job.status not in JOB_TERMINAL:
            parts.append(f"eta {job.eta_s:.0f}s")
        if isinstance(job.message, str) and job.message:
            parts.append(job.message[:40])
        bar.set_postfix_str(", ".join(parts), refresh=False)
        bar.refresh()

    try:
        yield on_progress
    finally:
        bar.close()


def _follow(client: AuthenticatedClient, job: JobOut, desc: str, progress: bool) -> JobOut:
    if job.status in JOB_TERMINAL:
        return follow(client, job)
    with _job_bar(desc, progress) as on_progress:
        return follow(client, job, on_progress, timeout=JOB_TIMEOUT_S)


def _metric(job: JobOut, name: str = "eval_accuracy") -> float | None:
    value = (extra(job.result).get("metrics") or {}).get(name)
    return float(value) if value is not None else None


def _train(api: AuthenticatedClient, pid: int, **body: Any) -> JobOut:
    """POST /projects/{id}/train (LeNet with the demo's arguments): its job."""
    fields = {"objective": "ce", "architecture": ARCHITECTURE, "arch_args": ARCH_ARGS, **body}
    return call(train_project.sync_detailed, pid, client=api, body=TrainIn.from_dict(fields)).job


def run_demo(
    base_url: str,
    admin_key: str,
    *,
    rounds: int = 5,
    budget_per_round: int | None = None,
    strategy: str = "entropy",
    cache_dir: Path | str | None = None,
    out: Out = print,
    source_epochs: int = 2,
    finetune_epochs: int = 2,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
    eval_fraction: float = 0.3,
    progress: bool = True,
    project_name: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[dict[str, Any]]:
    """Run the MNIST -> digits active-domain-adaptation demo against the API at ``base_url``.

    Returns one dict per row: round 0 is the source-only model, rounds 1..N follow each labeling
    round. Keys: round, strategy, labels_spent, budget_left, eval_accuracy, atc_estimate (accuracy
    estimated without labels), stop_kappa (agreement with the previous round), n_selected,
    checkpoint_id, seconds. ``transport`` is passed to httpx (tests answer from an in-process app).
    Raises :class:`~labelq_demo.sdk.ApiError` / :class:`~labelq_demo.sdk.JobFailedError` when the
    server refuses or a job fails.
    """
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    per_round = DEFAULT_BUDGET_PER_ROUND if budget_per_round is None else int(budget_per_round)
    if per_round < 1:
        raise ValueError("budget_per_round must be >= 1")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    t_start = time.monotonic()

    out(f"labelq demo: MNIST (source) -> scikit-learn digits (target), cache {cache}")
    paths = make_demo_pools(cache, eval_fraction=eval_fraction, seed=seed)
    with np.load(paths["target_truth"], allow_pickle=False) as z:
        truth = dict(zip(z["ids"].tolist(), z["y"].tolist(), strict=True))
    out(
        f"data: source 10000 MNIST images, target pool {len(truth)} digits (unlabeled), "
        f"eval split in {paths['eval'].name}"
    )

    admin = connect(base_url, admin_key, transport=transport)
    with admin:
        call(healthz.sync_detailed, client=admin)
        name = project_name or f"demo-mnist-digits-{datetime.now(UTC):%Y%m%d-%H%M%S}"
        body = ProjectIn(
            name=name,
            classes=CLASSES,
            budget=rounds * per_round,
            input_shape=INPUT_SHAPE,
            default_strategy=strategy,
            default_objective="ce",
        )
        project = call(create_project.sync_detailed, client=admin, body=body)
    pid = project.id
    out(f"project {pid} ({name}): budget {project.budget} = {rounds} rounds x {per_round} labels")

    with connect(base_url, project.api_key, transport=transport) as api:
        for key, domain, split in (
            ("source", "source", "train"),
            ("target_unlabeled", "target", "train"),
            ("eval", "target", "eval"),
        ):
            with open(paths[key], "rb") as fh:
                form = BodyUploadPool(
                    file=File(payload=fh, file_name=paths[key].name),
                    domain=domain,  # type: ignore[arg-type]
                    split=split,  # type: ignore[arg-type]
                    wait_seconds=60,
                )
                up = call(upload_pool.sync_detailed, pid, client=api, body=form)
            _follow(api, up.job, f"import {key}", progress)
            out(f"pool {up.pool.id}: {domain}/{split} from {paths[key].name} ({up.pool.n_items} items)")

        rows: list[dict[str, Any]] = []
        t0 = time.monotonic()
        job = _train(api, pid, epochs=source_epochs, batch_size=batch_size, lr=lr, seed=seed)
        job = _follow(api, job, f"train source ({source_epochs} epochs)", progress)
        acc = _metric(job)
        proj = call(get_project.sync_detailed, pid, client=api)
        rows.append(
            {
                "round": 0,
                "strategy": "source-only",
                "labels_spent": proj.budget_spent,
                "budget_left": proj.budget_left,
                "eval_accuracy": acc,
                "atc_estimate": _metric(job, "atc_estimate"),
                "n_selected": 0,
                "checkpoint_id": extra(job.result).get("checkpoint_id"),
                "seconds": round(time.monotonic() - t0, 1),
            }
        )
        out(f"source-only model: target eval accuracy {acc if acc is None else f'{acc:.4f}'}")
        out("")
        out(format_header())
        out("-" * len(format_header()))
        out(format_row(rows[-1]))

        for r in range(1, rounds + 1):
            t0 = time.monotonic()
            ask = QueryBatchIn(
                project_id=pid,
                budget=per_round,
                strategy=strategy,
                seed=seed + r,
                idempotency_key=f"labelq-demo-{pid}-round-{r}",
                wait_seconds=30,
            )
            rnd = call(query_batch.sync_detailed, client=api, body=ask)
            if rnd.status not in ("ready", "closed"):
                with _job_bar(f"round {r}: scoring ({strategy})", progress) as on_progress:
                    rnd = wait_round(api, rnd.id, on_progress, timeout=JOB_TIMEOUT_S)
            selections = rnd.selections or []
            if not selections:
                out(f"round {r}: nothing left to select; stopping")
                break
            answers = {
                "project_id": pid,
                "round_id": rnd.id,
                "annotator": "demo-oracle",
                "labels": [{"external_id": s.external_id, "label": truth[s.external_id]} for s in selections],
            }
            ledger = call(submit_labels.sync_detailed, client=api, body=LabelsIn.from_dict(answers))
            job = _train(api, pid, epochs=finetune_epochs, batch_size=batch_size, lr=lr, seed=seed + r)
            job = _follow(api, job, f"round {r}: fine-tune ({finetune_epochs} epochs)", progress)
            rows.append(
                {
                    "round": r,
                    "strategy": strategy,
                    "labels_spent": ledger.budget_spent,
                    "budget_left": ledger.budget_left,
                    "eval_accuracy": _metric(job),
                    "atc_estimate": _metric(job, "atc_estimate"),
                    "stop_kappa": _metric(job, "stop_kappa"),
                    "n_selected": len(selections),
                    "checkpoint_id": extra(job.result).get("checkpoint_id"),
                    "seconds": round(time.monotonic() - t0, 1),
                }
            )
            out(format_row(rows[-1]))

        advice = call(get_project_metrics.sync_detailed, pid, client=api).stopping
    first, last = rows[0]["eval_accuracy"], rows[-1]["eval_accuracy"]
    out("")
    out(f"stopping advice: {advice.message}")
    if first is not None and last is not None:
        out(
            f"target eval accuracy {first:.4f} -> {last:.4f} with {rows[-1]['labels_spent']} target labels "
            f"({strategy}); {time.monotonic() - t_start:.0f} s in total"
        )
    else:
        out(f"done in {time.monotonic() - t_start:.0f} s")
    return rows


# -- command line (``python -m labelq_demo.run``; ``labelq demo`` wires the same function) ----------


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Add the demo's options to ``parser`` (or a new one)."""
    p = parser or argparse.ArgumentParser(prog="labelq demo", description=__doc__.splitlines()[0])
    p.add_argument(
        "--url",
        default=os.environ.get("LABELQ_URL", "http://127.0.0.1:8000"),
        help="labelq API base URL (env LABELQ_URL)",
    )
    p.add_argument(
        "--admin-key", default=os.environ.get("LABELQ_ADMIN_KEY"), help="admin API key (env LABELQ_ADMIN_KEY)"
    )
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--budget-per-round", type=int, default=DEFAULT_BUDGET_PER_ROUND)
    p.add_argument("--strategy", default="entropy")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="data cache (default $LABELQ_CACHE_DIR or ~/.cache/labelq)",
    )
    p.add_argument("--source-epochs", type=int, default=2)
    p.add_argument("--finetune-epochs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.admin_key:
        print("labelq demo: an admin key is needed (--admin-key or LABELQ_ADMIN_KEY)", file=sys.stderr)
        return 2
    rows = run_demo(
        args.url,
        args.admin_key,
        rounds=args.rounds,
        budget_per_round=args.budget_per_round,
        strategy=args.strategy,
        cache_dir=args.cache_dir,
        source_epochs=args.source_epochs,
        finetune_epochs=args.finetune_epochs,
        seed=args.seed,
        progress=not args.no_progress,
    )
    return 0 if rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
