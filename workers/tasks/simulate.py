"""labelq.simulate: simulated active learning against the hidden labels of the target train pool.

Thin: rows -> tensors, the start checkpoint -> a network, every (run x seed) through
models.simulation, then the curves and a PNG plot. It writes only its job row and the plot blob:
no labels, no rounds, no checkpoints, no budget.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import torch
from celery import shared_task
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.acquisition import get_strategy
from models.device import describe, pick_device
from models.simulation import (
    Curve,
    Summary,
    class_counts,
    plot,
    seeded_objective_params,
    simulate,
    summarize,
)
from models.train import TrainConfig
from service import queue
from service.db.engine import session_scope
from service.db.tables import Item, Project
from service.domain import checkpoints, jobs, simulations
from service.domain.items import visible_items
from service.errors import Conflict
from service.settings import get_settings
from service.storage import BlobStore, get_store
from workers.data import LabeledRows, gather, labeled_set, pool_blobs
from workers.label_free import simulation_summary
from workers.models_io import CheckpointRef, load, restore_objective_state
from workers.runtime import Progress, run_job
from workers.training import reads_unlabeled, training_objective


class RunSpec(BaseModel):
    strategy: str
    params: dict[str, Any] = {}
    objective: str
    objective_params: dict[str, Any] = {}


class Simulate(BaseModel):
    job_id: int
    runs: list[RunSpec]
    schedule: list[int]
    seeds: list[int]
    checkpoint_id: int | None = None
    config: dict[str, Any] = {}


@dataclass
class SimulationData:
    source: tuple[torch.Tensor, torch.Tensor] | None
    target_x: torch.Tensor
    hidden: torch.Tensor
    eval: tuple[torch.Tensor, torch.Tensor]
    num_classes: int


@dataclass(frozen=True)
class SimulationRows:
    """What a simulation reads, as rows: taken in a short transaction, loaded after it."""

    blobs: dict[int, str]
    source: LabeledRows
    hidden: list[tuple[int, int, int]]
    eval: LabeledRows
    num_classes: int

    def load(self, store: BlobStore) -> SimulationData:
        evaluation = self.eval.tensors(store, self.blobs)
        assert evaluation is not None
        return SimulationData(
            source=self.source.tensors(store, self.blobs),
            target_x=gather(store, self.blobs, [(p, r) for p, r, _ in self.hidden]),
            hidden=torch.tensor([y for _, _, y in self.hidden], dtype=torch.long),
            eval=evaluation,
            num_classes=self.num_classes,
        )


def simulation_rows(session: Session, project_id: int) -> SimulationRows:
    """Source train (labeled), the hidden-label target train items by item id, target eval."""
    hidden = session.execute(
        select(Item.pool_id, Item.row, Item.hidden_label)
        .where(
            visible_items(project_id),
            Item.domain == "target",
            Item.split == "train",
            Item.hidden_label.is_not(None),
        )
        .order_by(Item.id)
    ).all()
    if not hidden:
        raise Conflict("the project has no target train items with hidden labels")
    evaluation = labeled_set(session, project_id, "target", "eval")
    if not evaluation.rows:
        raise Conflict("the project has no labeled target eval split to measure accuracy on")
    return SimulationRows(
        blobs=pool_blobs(session, project_id),
        source=labeled_set(session, project_id, "source", "train"),
        hidden=[(p, r, int(y)) for p, r, y in hidden],
        eval=evaluation,
        num_classes=len(session.get_one(Project, project_id).classes),
    )


def run_result(spec: RunSpec, summary: Summary, curves: list[Curve], data: SimulationData) -> dict[str, Any]:
    return {
        "strategy": spec.strategy,
        "params": spec.params,
        "objective": spec.objective,
        "objective_params": spec.objective_params,
        "curve": {
            "labels": summary.labels,
            "mean": summary.mean,
            "std": summary.std,
            "per_seed": summary.per_seed,
        },
        "auc": summary.auc,
        "auc_std": summary.auc_std,
        "per_seed_auc": summary.per_seed_auc,
        "final_accuracy": summary.mean[-1],
        "final_accuracy_std": summary.std[-1],
        "class_counts": [class_counts(c, data.hidden, data.num_classes) for c in curves],
        "choices": [c.choices for c in curves],
        "label_free": simulation_summary(curves, get_settings().stop_kappa, get_settings().stop_window),
    }


def _legend(runs: list[RunSpec], i: int) -> str:
    """'strategy + objective', numbered when two runs share both names (different params)."""
    name = f"{runs[i].strategy} + {runs[i].objective}"
    same = sum(1 for r in runs if (r.strategy, r.objective) == (runs[i].strategy, runs[i].objective))
    return f"{name} #{i + 1}" if same > 1 else name


@shared_task(name=queue.SIMULATE)
def simulate_task(payload: dict[str, Any], **_: Any) -> None:
    p = Simulate.model_validate(payload)
    store, device = get_store(), pick_device(get_settings().device)

    def work(progress: Progress) -> dict[str, Any]:
        progress(0.0, message="loading data", force=True)
        with session_scope() as s:
            project_id = jobs.get(s, p.job_id).project_id
            assert project_id is not None
            ckpt = checkpoints.resolve_ready(s, project_id, p.checkpoint_id)
            parent = checkpoints.get(s, ckpt.parent_id) if ckpt.parent_id else None
            ref = CheckpointRef.of(ckpt)
            parent_ref = CheckpointRef.of(parent) if parent is not None and parent.status == "ready" else None
            rows = simulation_rows(s, project_id)
        data = rows.load(store)  # the arrays, after the transaction
        start = load(store, ref, device)
        needs_previous = any(get_strategy(r.strategy).needs_previous for r in p.runs)
        previous = load(store, parent_ref, device) if needs_previous and parent_ref else None
        config = TrainConfig(**p.config)
        total = len(p.runs) * len(p.seeds)
        results, named = [], []
        for i, spec in enumerate(p.runs):
            probe = training_objective(spec.objective, spec.objective_params, start)
            state = probe.state_dict() if restore_objective_state(store, ref, spec.objective, probe) else None
            curves = []
            for j, seed in enumerate(p.seeds):
                k = i * len(p.seeds) + j
                params = seeded_objective_params(spec.objective_params, seed)
                factory = lambda params=params, name=spec.objective: training_objective(name, params, start)  # noqa: E731
                name = f"{spec.strategy} + {spec.objective}, seed {seed} (run {k + 1}/{total})"

                def report(fraction: float, message: str, k: int = k, name: str = name) -> None:
                    progress(0.97 * (k + fraction) / total, message=f"{name}: {message}")

                curves.append(
                    simulate(
                        start,
                        source=data.source,
                        target_x=data.target_x,
                        hidden_labels=data.hidden,
                        eval_set=data.eval,
                        strategy=spec.strategy,
                        params=spec.params,
                        objective=factory,
                        schedule=p.schedule,
                        config=config,
                        seed=seed,
                        device=device,
                        with_unlabeled=reads_unlabeled(spec.objective),
                        previous_network=previous,
                        objective_state=state,
                        progress=report,
                    )
                )
            summary = summarize(curves)
            results.append(run_result(spec, summary, curves, data))
            named.append((_legend(p.runs, i), summary))
        progress(0.98, message="plotting", force=True)
        buf = io.BytesIO()
        plot(named, buf, title=f"simulation: {len(data.hidden)} pool items, seeds {p.seeds}")
        key = store.write_bytes(simulations.plot_key(p.job_id), buf.getvalue())
        return {
            "runs": results,
            "plot": key,
            "schedule": p.schedule,
            "seeds": p.seeds,
            "checkpoint_id": ref.id,
            "pool_size": len(data.hidden),
            "eval_items": len(data.eval[1]),
            **describe(device),
        }

    run_job(p.job_id, work)
