"""labelq.training.train: fit a network with an objective, evaluate it, store a new checkpoint."""

from __future__ import annotations

from typing import Any

import torch
from celery import shared_task
from pydantic import BaseModel

from models.checkpoint import CheckpointError
from models.device import describe, pick_device
from models.networks import build_network
from models.train import TrainConfig, fit
from service import queue
from service.db.engine import session_scope
from service.domain import checkpoints, projects
from service.errors import BadInput
from service.settings import get_settings
from service.storage import get_store
from workers.label_free import keep_predictions, label_free_metrics
from workers.models_io import (
    CheckpointRef,
    check_network_size,
    load,
    restore_objective_state,
    save_objective_state,
    save_weights,
)
from workers.runtime import Cancelled, Progress, run_job
from workers.training import evaluate, reads_unlabeled, training_objective, training_rows


class Train(BaseModel):
    job_id: int
    objective: str
    params: dict[str, Any]
    checkpoint_id: int | None
    architecture: str | None
    arch_args: dict[str, Any]
    config: dict[str, Any]


@shared_task(name=queue.TRAIN)
def train(payload: dict[str, Any], **_: Any) -> None:
    p = Train.model_validate(payload)
    store, device = get_store(), pick_device(get_settings().device)

    def work(progress: Progress) -> dict[str, Any]:
        with session_scope() as s:
            project_id = _job_project(s, p.job_id)
            project = projects.get(s, project_id)
            ref = (
                CheckpointRef.of(checkpoints.get(s, p.checkpoint_id, project_id)) if p.checkpoint_id else None
            )
            n_classes, shape = len(project.classes), list(project.input_shape)
            rows = training_rows(
                s,
                project_id,
                with_unlabeled=reads_unlabeled(p.objective),
                stop_set_size=get_settings().stop_set_size,
            )
        data = rows.load(store)  # the arrays, after the transaction
        arch = ref.architecture if ref else p.architecture
        args = ref.arch_args if ref else _scratch_args(p.architecture or "", p.arch_args, n_classes, shape)
        try:
            model = load(store, ref, device) if ref else _seeded_network(arch, args, p.config.get("seed", 0))
        except (CheckpointError, TypeError, ValueError) as exc:
            raise BadInput(f"cannot build the network: {exc}") from exc
        objective = training_objective(p.objective, p.params, model)
        resumed = ref is not None and restore_objective_state(store, ref, p.objective, objective)
        result = fit(
            model,
            objective,
            source=data.source,
            target_labeled=data.target_labeled,
            target_unlabeled=data.target_unlabeled,
            config=TrainConfig(**p.config),
            device=device,
            should_stop=progress.should_stop,
            progress=lambda r: progress(
                0.95 * r["fraction"],
                items_per_s=r.get("items_per_s"),
                eta_s=r.get("eta_s"),
                message=_describe(r),
            ),
        )
        if result.stopped:
            raise Cancelled()
        metrics = evaluate(model, data, n_classes)
        label_free, stop_classes = label_free_metrics(
            store, rows.blobs, rows.stop, rows.calibration, model, ref, device, n_classes
        )
        metrics |= label_free
        if hasattr(objective, "conflict_rate"):
            metrics["gradient_conflict_rate"] = float(objective.conflict_rate)
        with session_scope() as s:
            ckpt = checkpoints.create(
                s,
                project_id=project_id,
                architecture=arch or "",
                arch_args=args,
                input_spec={**(ref.input_spec or {}), "shape": shape} if ref else {"shape": shape},
                origin="train",
                parent_id=ref.id if ref else None,
                objective=p.objective,
                params=p.params,
                seed=p.config.get("seed"),
                history=result.history,
                metrics=metrics,
                labels_at_training=data.n_target_labels,
                job_id=p.job_id,
            )
            ckpt_id = ckpt.id
        keep_predictions(store, ckpt_id, rows.stop, stop_classes)
        key, sha, size = save_weights(store, ckpt_id, model)
        save_objective_state(store, ckpt_id, objective)
        with session_scope() as s:
            version = checkpoints.mark_ready(s, ckpt_id, blob=key, sha256=sha, size_bytes=size).version
        return {
            "checkpoint_id": ckpt_id,
            "version": version,
            "metrics": metrics,
            "steps": result.steps,
            "units": result.steps,
            "objective_state_resumed": resumed,
            **describe(device),
        }

    run_job(p.job_id, work)


def _seeded_network(arch: str | None, args: dict[str, Any], seed: int) -> torch.nn.Module:
    """A from-scratch network whose initial weights depend only on the job's seed."""
    check_network_size(arch or "", args)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build_network(arch or "", **args)


def _job_project(session: Any, job_id: int) -> int:
    from service.domain import jobs

    project_id = jobs.get(session, job_id).project_id
    assert project_id is not None
    return project_id


def _scratch_args(arch: str, args: dict[str, Any], n_classes: int, shape: list[int]) -> dict[str, Any]:
    """Fill the arguments every network takes from the project (classes, input shape)."""
    out = {"num_classes": n_classes, **args}
    if arch == "mlp":
        out.setdefault("input_shape", shape)
    elif len(shape) == 3:
        out.setdefault("in_channels", shape[0])
        if arch == "lenet":
            out.setdefault("input_size", shape[-1])
    return out


def _describe(report: dict[str, Any]) -> str:
    losses = ", ".join(
        f"{k}={v:.4g}" for k, v in report.items() if k.startswith("loss") and isinstance(v, float)
    )
    where = f"epoch {report.get('epoch')}/{report.get('epochs')}"
    where += f" step {report.get('step')}/{report.get('total_steps')}"
    return f"{where} {losses}".rstrip()
