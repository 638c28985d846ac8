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


def as_float(rows: np.ndarray) -> np.ndarray:
    """Pool rows as float32: uint8 (how image pools are stored, a quarter of float32) / 255."""
    if rows.dtype == np.uint8:
        return np.multiply(rows, 1.0 / 255.0, dtype=np.float32)
    return np.array(rows, dtype=np.float32)


class MappedRows:
    """(pool_id, row) pairs of memory-mapped pool arrays, read on demand: ``rows[i:j]`` and
    ``rows[index]`` copy only the rows asked for (a ``models.rows.Rows``). A pass, a gradient
    pass or a training stream over a pool thus holds one batch of its inputs, never the pool."""

    def __init__(
        self,
        arrays: dict[int, np.ndarray],
        pool_ids: np.ndarray,
        row_idx: np.ndarray,
        whole: int | None = None,
    ) -> None:
        self.arrays, self.pool_ids, self.row_idx = arrays, pool_ids, row_idx
        self.whole = whole  # every row of this one pool, in order: slices read straight from it

    @classmethod
    def of(cls, store: BlobStore, blobs: dict[int, str], rows: Sequence[tuple[int, int]]) -> MappedRows:
        pool_ids = np.fromiter((p for p, _ in rows), dtype=np.int64, count=len(rows))
        row_idx = np.fromiter((r for _, r in rows), dtype=np.int64, count=len(rows))
        return cls({int(p): pool_array(store, blobs[int(p)]) for p in np.unique(pool_ids)}, pool_ids, row_idx)

    @classmethod
    def pool(cls, store: BlobStore, pool_id: int, blob: str) -> MappedRows:
        """Every row of one pool, in order."""
        array = pool_array(store, blob)
        ids = np.full(len(array), pool_id, dtype=np.int64)
        return cls({pool_id: array}, ids, np.arange(len(array)), whole=pool_id)

    def __len__(self) -> int:
        return len(self.row_idx)

    def __getitem__(self, index: slice | torch.Tensor) -> torch.Tensor:
        """float32 rows; a pool stored as uint8 (images) reads as values / 255, in [0, 1]."""
        if self.whole is not None and isinstance(index, slice) and index.step in (None, 1):
            return torch.from_numpy(as_float(self.arrays[self.whole][index]))
        where = index if isinstance(index, slice) else np.asarray(index, dtype=np.int64)
        pool_ids, row_idx = self.pool_ids[where], self.row_idx[where]
        first = next(iter(self.arrays.values()))
        out = np.empty((len(row_idx), *first.shape[1:]), dtype=np.float32)
        for pid in np.unique(pool_ids):
            at = np.flatnonzero(pool_ids == pid)
            out[at] = as_float(self.arrays[int(pid)][row_idx[at]])
        return torch.from_numpy(out)


def gather(store: BlobStore, blobs: dict[int, str], rows: Sequence[tuple[int, int]]) -> torch.Tensor:
    """x [len(rows), ...] for (pool_id, row) pairs, in the order given, in memory."""
    if not rows:
        raise ValueError("no rows to gather")
    return MappedRows.of(store, blobs, rows)[:]


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
        """Inputs in memory, and labels."""
        mapped = self.mapped(store, blobs)
        return None if mapped is None else (mapped[0][:], mapped[1])

    def mapped(self, store: BlobStore, blobs: dict[int, str]) -> tuple[MappedRows, torch.Tensor] | None:
        """Inputs read on demand, and labels."""
        if not self.rows:
            return None
        return MappedRows.of(store, blobs, self.rows), torch.tensor(self.labels, dtype=torch.long)


def labeled_set(session: Session, project_id: int, domain: str, split: str) -> LabeledRows:
    _, rows, labels = labeled_rows(session, project_id, domain=domain, split=split)
    return LabeledRows(rows, labels)
