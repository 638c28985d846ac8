"""After a training: the new checkpoint's agreement with its parent on the project's stop set
(stopping advice, service/domain/stopping.py) and its accuracy estimated without labels on the
same items (ATC and average confidence, models/label_free.py).

The stop set is a fixed pseudo-random sample of the project's target train items (labeled or
not): the ``stop_set_size`` items first in the order of a multiplicative hash of their id, so it
stays put as labels arrive, and a later pool only swaps in the items it hashes ahead. Each
checkpoint's predicted classes there are kept beside its cached outputs; kappa is taken on the
items both checkpoints predicted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from sqlalchemy import BigInteger, cast, literal, select
from sqlalchemy.orm import Session
from torch import nn

from models.inference import predict
from models.label_free import atc_estimate, atc_threshold, average_confidence, cohens_kappa
from models.simulation import Curve
from service.db.tables import Item
from service.domain import stopping
from service.domain.collect import stopset_key
from service.domain.items import visible_items
from service.storage import BlobStore
from workers.data import LabeledRows, MappedRows
from workers.models_io import CheckpointRef, load

_HASH, _MOD = 2654435761, 2**32  # Knuth's multiplicative hash of the item id


@dataclass(frozen=True)
class StopSet:
    item_ids: list[int]
    rows: list[tuple[int, int]]  # (pool_id, row), in item_ids' order


def stop_set(session: Session, project_id: int, size: int) -> StopSet:
    order = (cast(Item.id, BigInteger) * literal(_HASH, BigInteger)) % literal(_MOD, BigInteger)
    rows = session.execute(
        select(Item.id, Item.pool_id, Item.row)
        .where(visible_items(project_id), Item.domain == "target", Item.split == "train")
        .order_by(order, Item.id)
        .limit(size)
    ).all()
    return StopSet([r.id for r in rows], [(r.pool_id, r.row) for r in rows])


def keep_predictions(
    store: BlobStore, checkpoint_id: int, stop: StopSet, classes: torch.Tensor | None
) -> None:
    """Keep a checkpoint's predicted classes on the stop set (for its children's kappa)."""
    if classes is None:
        return
    buf = io.BytesIO()
    np.savez(
        buf,
        item_ids=np.asarray(stop.item_ids, dtype=np.int64),
        classes=classes.cpu().numpy().astype(np.int64),
    )
    store.write_bytes(stopset_key(checkpoint_id), buf.getvalue())


def _load(store: BlobStore, checkpoint_id: int) -> dict[int, int] | None:
    key = stopset_key(checkpoint_id)
    if not store.exists(key):
        return None
    with np.load(io.BytesIO(store.read_bytes(key)), allow_pickle=False) as z:
        return dict(zip(z["item_ids"].tolist(), z["classes"].tolist(), strict=True))


def _classes(model: nn.Module, x: MappedRows) -> torch.Tensor:
    return predict(model, x).logits.argmax(dim=-1)


def label_free_metrics(
    store: BlobStore,
    blobs: dict[int, str],
    stop: StopSet,
    calibration: tuple[str, LabeledRows] | None,
    model: nn.Module,
    parent: CheckpointRef | None,
    device: torch.device,
    num_classes: int,
) -> tuple[dict[str, object], torch.Tensor | None]:
    """The metrics and the predicted classes on the stop set: ``stop_kappa`` against the parent
    (whose predictions are computed now if it has none kept), ``average_confidence`` and, with
    labeled calibration data, ``atc_estimate`` (and ``atc_calibration``: which data)."""
    if not stop.item_ids:
        return {}, None
    x = MappedRows.of(store, blobs, stop.rows)
    logits = predict(model, x).logits
    classes = logits.argmax(dim=-1)
    out: dict[str, object] = {
        "stop_items": len(stop.item_ids),
        "average_confidence": average_confidence(logits),
    }
    if parent is not None:
        before = _load(store, parent.id)
        if before is None:
            before = dict(zip(stop.item_ids, _classes(load(store, parent, device), x).tolist(), strict=True))
        both = [i for i, item in enumerate(stop.item_ids) if item in before]
        if both:
            prev = torch.tensor([before[stop.item_ids[i]] for i in both])
            out["stop_kappa"] = cohens_kappa(classes[both], prev, num_classes)
    mapped = calibration[1].mapped(store, blobs) if calibration is not None else None
    if calibration is not None and mapped is not None:
        threshold = atc_threshold(predict(model, mapped[0]).logits, mapped[1])
        out["atc_estimate"], out["atc_calibration"] = atc_estimate(logits, threshold), calibration[0]
    return out, classes


def simulation_summary(curves: list[Curve], threshold: float, window: int) -> dict[str, object]:
    """A simulated run's label-free figures over its seeds: per seed the kappa, ATC and average
    confidence curves, the estimates' mean absolute error against the true eval accuracy (over
    seeds and rounds), and what following the stopping advice would have saved and cost."""

    def error(estimates: list[list[float | None]]) -> float | None:
        gaps = [
            abs(e - a)
            for c, est in zip(curves, estimates, strict=True)
            for e, a in zip(est, c.accuracy, strict=True)
            if e is not None
        ]
        return sum(gaps) / len(gaps) if gaps else None

    atc = [c.atc for c in curves]
    ac: list[list[float | None]] = [list(c.average_confidence) for c in curves]
    return {
        "kappa": [c.kappa for c in curves],
        "atc": atc,
        "average_confidence": ac,
        "atc_error": error(atc),
        "average_confidence_error": error(ac),
        "stopping": [stopping.outcome(c.kappa, c.labels, c.accuracy, threshold, window) for c in curves],
    }
