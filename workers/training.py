"""The data a training job reads and the metrics it writes (the task itself stays thin)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from torch import nn

from models.evaluate import accuracy, mean_free_energy, per_class_accuracy
from models.inference import predict
from models.objectives import Objective, build_objective
from models.objectives.base import get_objective
from models.params import validated
from service.db.tables import Item
from service.domain.items import visible_items
from service.storage import BlobStore
from workers.data import LabeledRows, MappedRows, labeled_set, pool_blobs
from workers.label_free import StopSet, stop_set

SOURCE_SAMPLE = 2000  # source items used for the free-energy gap


@dataclass
class TrainingData:
    """Inputs are read from the pool blobs batch by batch (MappedRows), labels are in memory."""

    source: tuple[MappedRows, torch.Tensor] | None
    target_labeled: tuple[MappedRows, torch.Tensor] | None
    target_unlabeled: MappedRows | None
    eval: tuple[MappedRows, torch.Tensor] | None
    n_target_labels: int


@dataclass(frozen=True)
class TrainingRows:
    """What a training job reads, as rows: taken in a short transaction, loaded after it."""

    blobs: dict[int, str]
    source: LabeledRows
    target_labeled: LabeledRows
    target_unlabeled: list[tuple[int, int]] | None
    eval: LabeledRows
    n_target_labels: int
    stop: StopSet  # the project's stop set (stopping advice, label-free estimates)
    calibration: tuple[str, LabeledRows] | None  # ATC's labeled calibration data, and what it is

    def load(self, store: BlobStore) -> TrainingData:
        unlabeled = self.target_unlabeled
        return TrainingData(
            source=self.source.mapped(store, self.blobs),
            target_labeled=self.target_labeled.mapped(store, self.blobs),
            target_unlabeled=MappedRows.of(store, self.blobs, unlabeled) if unlabeled else None,
            eval=self.eval.mapped(store, self.blobs),
            n_target_labels=self.n_target_labels,
        )


def _calibration(
    source: LabeledRows, source_eval: LabeledRows, eval: LabeledRows
) -> tuple[str, LabeledRows] | None:
    """ATC's calibration data: held-out source if there is any (as in Garg et al.), else a spread
    sample of the source the network trains on (optimistic), else the target eval split."""
    if source_eval.rows:
        return "source eval", source_eval
    if source.rows:
        step = -(-len(source.rows) // SOURCE_SAMPLE)
        return "source train", LabeledRows(source.rows[::step], source.labels[::step])
    return ("target eval", eval) if eval.rows else None


def training_rows(
    session: Session, project_id: int, *, with_unlabeled: bool, stop_set_size: int = 2000
) -> TrainingRows:
    unlabeled = None
    if with_unlabeled:
        rows = session.execute(
            select(Item.pool_id, Item.row)
            .where(
                visible_items(project_id),
                Item.domain == "target",
                Item.split == "train",
                Item.label.is_(None),
            )
            .order_by(Item.id)
        ).all()
        unlabeled = [(p, r) for p, r in rows]
    n_labels = session.execute(
        select(func.count()).where(
            visible_items(project_id),
            Item.domain == "target",
            Item.split == "train",
            Item.label_source == "annotator",
        )
    ).scalar_one()
    source = labeled_set(session, project_id, "source", "train")
    target_eval = labeled_set(session, project_id, "target", "eval")
    return TrainingRows(
        blobs=pool_blobs(session, project_id),
        source=source,
        target_labeled=labeled_set(session, project_id, "target", "train"),
        target_unlabeled=unlabeled,
        eval=target_eval,
        n_target_labels=n_labels,
        stop=stop_set(session, project_id, stop_set_size),
        calibration=_calibration(source, labeled_set(session, project_id, "source", "eval"), target_eval),
    )


def evaluate(model: nn.Module, data: TrainingData, num_classes: int) -> dict[str, object]:
    """Accuracy and per-class accuracy on the target eval split, and the source-target free-energy gap."""
    metrics: dict[str, object] = {}
    if data.eval is not None:
        out = predict(model, data.eval[0])
        metrics["eval_accuracy"] = accuracy(out.logits, data.eval[1])
        metrics["eval_per_class_accuracy"] = per_class_accuracy(out.logits, data.eval[1], num_classes)
        metrics["eval_items"] = int(data.eval[1].shape[0])
        metrics["free_energy_target"] = mean_free_energy(out.logits)
    if data.source is not None:
        src = predict(model, data.source[0][:SOURCE_SAMPLE])
        metrics["source_accuracy"] = accuracy(src.logits, data.source[1][:SOURCE_SAMPLE])
        metrics["free_energy_source"] = mean_free_energy(src.logits)
    if data.eval is not None and data.source is not None:
        metrics["free_energy_gap"] = mean_free_energy(out.logits) - mean_free_energy(src.logits)
    return metrics


def training_objective(name: str, params: dict[str, object], model: nn.Module) -> Objective:
    """Build the objective; a domain discriminator (dann, gh/ghpp aligning with dann) is sized
    from the network's feature dimension."""
    params = validated(get_objective(name).params, params)  # whoever checked them before
    uses_dann = name == "dann" or (name in ("gh", "ghpp") and params.get("align", "dann") == "dann")
    extra = {"feature_dim": int(model.feature_dim)} if uses_dann else {}  # type: ignore[arg-type]
    return build_objective(name, **params, **extra)


def reads_unlabeled(objective: str) -> bool:
    """Whether the objective trains on unlabeled target items (the worker loads them for it)."""
    return get_objective(objective).unlabeled
