"""Rows become tensors here: pool arrays (memory-mapped .npy blobs) gathered in a given order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import Item, Pool
from service.domain.items import visible_items
from service.storage import BlobStore


def pool_array(store: BlobStore, blob: str) -> np.ndarray:
    return np.load(store.path(blob), mmap_mode="r", allow_pickle=False)


def gather(store: BlobStore, blobs: dict[int, str], rows: Sequence[tuple[int, int]]) -> torch.Tensor:
    """x [len(rows), ...] for (pool_id, row) pairs, in the order given."""
    if not rows:
        raise ValueError("no rows to gather")
    pool_ids = np.fromiter((p for p, _ in rows), dtype=np.int64, count=len(rows))
    row_idx = np.fromiter((r for _, r in rows), dtype=np.int64, count=len(rows))
    first = pool_array(store, blobs[int(pool_ids[0])])
    out = np.empty((len(rows), *first.shape[1:]), dtype=np.float32)
    for pid in np.unique(pool_ids):
        where = np.flatnonzero(pool_ids == pid)
        out[where] = pool_array(store, blobs[int(pid)])[row_idx[where]]
    return torch.from_numpy(out)


def pool_blobs(session: Session, project_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Pool.id, Pool.blob).where(Pool.project_id == project_id, Pool.status == "ready")
    )
    return {pid: blob for pid, blob in rows if blob}


def labeled_rows(
    session: Session, project_id: int, *, domain: str, split: str
) -> tuple[list[int], list[tuple[int, int]], list[int]]:
    """(item ids, (pool_id, row), labels) of labeled items, by item id."""
    rows = session.execute(
        select(Item.id, Item.pool_id, Item.row, Item.label)
        .where(
            visible_items(project_id),
            Item.domain == domain,
            Item.split == split,
            Item.label.is_not(None),
        )
        .order_by(Item.id)
    ).all()
    return [r[0] for r in rows], [(r[1], r[2]) for r in rows], [int(r[3]) for r in rows]


@dataclass(frozen=True)
class LabeledRows:
    """Where labeled items' inputs are, read in a transaction; their arrays are gathered later,
    outside it (long array I/O never holds a database transaction or SQLite's write lock)."""

    rows: list[tuple[int, int]]
    labels: list[int]

    def tensors(self, store: BlobStore, blobs: dict[int, str]) -> tuple[torch.Tensor, torch.Tensor] | None:
        if not self.rows:
            return None
        return gather(store, blobs, self.rows), torch.tensor(self.labels, dtype=torch.long)


def labeled_set(session: Session, project_id: int, domain: str, split: str) -> LabeledRows:
    _, rows, labels = labeled_rows(session, project_id, domain=domain, split=split)
    return LabeledRows(rows, labels)
