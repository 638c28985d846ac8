"""Assemble what a strategy needs for one round: cached outputs of the round's checkpoint (and
of its parent for COD) on the candidate items, labeled features, the model for gradient scores."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from models.acquisition import AcquisitionContext, PoolOutputs, StrategyInfo
from models.device import pick_device
from service.storage import BlobStore
from workers.data import MappedRows
from workers.models_io import CheckpointRef, cached_outputs, load


@dataclass
class RoundInputs:
    candidates: list[tuple[int, int, int]]  # (item_id, pool_id, row), by item id
    labeled: list[tuple[int, int]]  # (pool_id, row) of labeled target train items
    blobs: dict[int, str]
    n_total: int
    seed: int


class OutputSource:
    """Per-pool outputs of one checkpoint, computed at most once (then read from the cache).

    ``features=False``: only logits are needed (and computed, when not cached yet).
    """

    def __init__(
        self,
        store: BlobStore,
        ref: CheckpointRef,
        blobs: dict[int, str],
        device: torch.device,
        progress: Callable[[int, int], None] | None = None,
        features: bool = True,
    ) -> None:
        self.store, self.ref, self.blobs, self.device, self.progress = store, ref, blobs, device, progress
        self.features = features
        self._model: torch.nn.Module | None = None
        self._pools: dict[int, PoolOutputs] = {}

    def model(self) -> torch.nn.Module:
        if self._model is None:
            self._model = load(self.store, self.ref, self.device)
        return self._model

    def rows(self, rows: Sequence[tuple[int, int]]) -> PoolOutputs:
        pool_ids = np.array([p for p, _ in rows], dtype=np.int64)
        row_idx = torch.as_tensor(np.array([r for _, r in rows], dtype=np.int64))
        logits, feats = None, None
        for pid in np.unique(pool_ids):
            out = self._pool(int(pid))
            where = torch.as_tensor(np.flatnonzero(pool_ids == pid))
            if logits is None:
                logits = torch.empty(len(rows), out.logits.shape[1])
                feats = torch.empty(len(rows), out.features.shape[1] if self.features else 0)
            logits[where] = out.logits[row_idx[where]]
            if self.features:  # a pool cached with features may sit next to one without
                feats[where] = out.features[row_idx[where]]
        assert logits is not None and feats is not None
        return PoolOutputs(logits, feats)

    def _pool(self, pool_id: int) -> PoolOutputs:
        if pool_id not in self._pools:
            x = lambda: MappedRows.pool(self.store, pool_id, self.blobs[pool_id])  # noqa: E731
            self._pools[pool_id] = cached_outputs(
                self.store, self.ref, pool_id, x, self.model, self.progress, features=self.features
            )
        return self._pools[pool_id]


def _forward_progress(progress: Callable[..., None]) -> Callable[[int, int], None]:
    """Forward-pass progress as the first 80 % of a round, with items/s and an ETA."""
    start = time.monotonic()

    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        progress(
            0.8 * done / total,
            items_per_s=rate,
            eta_s=(total - done) / rate if rate else None,
            message=f"forward pass {done}/{total}",
        )

    return report


def build_context(
    store: BlobStore,
    info: StrategyInfo,
    ref: CheckpointRef,
    parent: CheckpointRef | None,
    inputs: RoundInputs,
    device_name: str,
    progress: Callable[..., None],
) -> AcquisitionContext:
    device = pick_device(device_name)
    source = OutputSource(
        store, ref, inputs.blobs, device, _forward_progress(progress), features=info.needs_features
    )
    cand_rows = [(p, r) for _, p, r in inputs.candidates]
    previous = None
    if info.needs_previous and parent is not None:
        previous = OutputSource(store, parent, inputs.blobs, device, features=info.needs_features).rows(
            cand_rows
        )
    labeled = inputs.labeled if info.needs_features else []
    return AcquisitionContext(
        unlabeled=source.rows(cand_rows),
        generator=torch.Generator().manual_seed(inputs.seed),
        labeled_features=source.rows(labeled).features if labeled else None,
        previous=previous,
        n_total=inputs.n_total,
        model=source.model() if info.needs_model else None,
        inputs=MappedRows.of(store, inputs.blobs, cand_rows) if info.needs_model else None,
        progress=lambda f: progress(0.8 + 0.2 * f),
    )
