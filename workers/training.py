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
from service.db.tables import Item
from service.storage import BlobStore
from workers.data import gather, labeled_rows, pool_blobs

SOURCE_SAMPLE = 2000  # source items used for the free-energy gap
UNLABELED_OBJECTIVES = {"eada", "tod", "dann", "gh", "ghpp"}  # these read unlabeled target items


@dataclass
class TrainingData:
    source: tuple[torch.Tensor, torch.Tensor] | None
    target_labeled: tuple[torch.Tensor, torch.Tensor] | None
    target_unlabeled: torch.Tensor | None
    eval: tuple[torch.Tensor, torch.Tensor] | None
    n_target_labels: int


def labeled_tensors(
    session: Session, store: BlobStore, blobs: dict[int, str], project_id: int, domain: str, split: str
) -> tuple[torch.Tensor, torch.Tensor] | None:
    _, rows, labels = labeled_rows(session, project_id, domain=domain, split=split)
    if not rows:
        return None
    return gather(store, blobs, rows), torch.tensor(labels, dtype=torch.long)


def load_training_data(
    session: Session, store: BlobStore, project_id: int, *, with_unlabeled: bool
) -> TrainingData:
    blobs = pool_blobs(session, project_id)
    target_labeled = labeled_tensors(session, store, blobs, project_id, "target", "train")
    unlabeled = None
    if with_unlabeled:
        rows = session.execute(
            select(Item.pool_id, Item.row)
            .where(
                Item.project_id == project_id,
                Item.domain == "target",
                Item.split == "train",
                Item.label.is_(None),
            )
            .order_by(Item.id)
        ).all()
        unlabeled = gather(store, blobs, rows) if rows else None
    n_labels = session.execute(
        select(func.count()).where(
            Item.project_id == project_id,
            Item.domain == "target",
            Item.split == "train",
            Item.label_source == "annotator",
        )
    ).scalar_one()
    return TrainingData(
        source=labeled_tensors(session, store, blobs, project_id, "source", "train"),
        target_labeled=target_labeled,
        target_unlabeled=unlabeled,
        eval=labeled_tensors(session, store, blobs, project_id, "target", "eval"),
        n_target_labels=n_labels,
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
    uses_dann = name == "dann" or (name in ("gh", "ghpp") and params.get("align", "dann") == "dann")
    extra = {"feature_dim": int(model.feature_dim)} if uses_dann else {}  # type: ignore[arg-type]
    return build_objective(name, **params, **extra)
