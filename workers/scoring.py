"""Assemble what a strategy needs for one round: cached outputs of the round's checkpoint (and
of its parent for COD) on the candidate items, labeled features, the model for gradient scores."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from models.acquisition import AcquisitionContext, PoolOutputs, StrategyInfo
from models.acquisition.auto import BanditStep, rewarded
from models.device import pick_device
from service.storage import BlobStore
from workers.data import MappedRows
from workers.models_io import CheckpointRef, cached_outputs, load
from workers.runtime import rate_progress
from workers.shards import Passes, Shard, missing, shard_ranges


@dataclass
class RoundInputs:
    candidates: list[tuple[int, int, int]]  # (item_id, pool_id, row), by item id
    labeled: list[tuple[int, int]]  # (pool_id, row) of labeled target train items
    blobs: dict[int, str]
    n_total: int
    seed: int
    # adaptive strategies (auto): the bandit's history so far, and (pool_id, row, label, q) bought
    bandit: list[dict[str, Any]] | None = None
    bought: list[tuple[int, int, int, float]] = field(default_factory=list)


class OutputSource:
    """Per-pool outputs of one checkpoint, computed at most once (then read from the cache), kept
    as one blob per shard of ``shard_rows`` rows (workers/shards.py).

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
        passes: Passes = Passes(),
    ) -> None:
        self.store, self.ref, self.blobs, self.device, self.progress = store, ref, blobs, device, progress
        self.features, self.passes = features, passes
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
        """The pool's outputs, read (or computed) shard by shard into one tensor pair."""
        if pool_id not in self._pools:
            x = MappedRows.pool(self.store, pool_id, self.blobs[pool_id])
            ranges = shard_ranges(len(x), self.passes.shard_rows)
            parts = (self._shard(pool_id, x, lo, hi) for lo, hi in ranges)
            if len(ranges) == 1:
                self._pools[pool_id] = next(parts)
            else:
                logits = feats = None
                for (lo, hi), out in zip(ranges, parts, strict=True):
                    if logits is None or feats is None:
                        logits = torch.empty(len(x), out.logits.shape[1])
                        feats = torch.empty(len(x), out.features.shape[1] if self.features else 0)
                    logits[lo:hi] = out.logits
                    if self.features:
                        feats[lo:hi] = out.features
                assert logits is not None and feats is not None
                self._pools[pool_id] = PoolOutputs(logits, feats)
        return self._pools[pool_id]

    def _shard(self, pool_id: int, x: MappedRows, lo: int, hi: int) -> PoolOutputs:
        progress = self.progress
        report = None if progress is None else (lambda done, _n: progress(lo + done, len(x)))
        return cached_outputs(
            self.store,
            self.ref,
            pool_id,
            lambda: x,
            self.model,
            report,
            features=self.features,
            rows=(lo, hi),
            precision=self.passes.precision,
        )


def build_context(
    store: BlobStore,
    info: StrategyInfo,
    ref: CheckpointRef,
    parent: CheckpointRef | None,
    inputs: RoundInputs,
    passes: Passes,
    progress: Callable[..., None],
) -> AcquisitionContext:
    """The strategy's inputs; forward passes (or their cached shards) on ``pick_device(passes.device)``."""
    device = pick_device(passes.device)
    features = info.needs_features
    source = OutputSource(
        store, ref, inputs.blobs, device, rate_progress(progress, 0.8), features=features, passes=passes
    )
    cand_rows = [(p, r) for _, p, r in inputs.candidates]
    previous = None
    if info.needs_previous and parent is not None:
        before = OutputSource(store, parent, inputs.blobs, device, features=features, passes=passes)
        previous = before.rows(cand_rows)
    labeled = inputs.labeled if info.needs_features else []
    bandit = _bandit(source, inputs) if info.adaptive else None
    return AcquisitionContext(
        unlabeled=source.rows(cand_rows),
        generator=torch.Generator().manual_seed(inputs.seed),
        labeled_features=source.rows(labeled).features if labeled else None,
        previous=previous,
        n_total=inputs.n_total,
        bandit=bandit,
        model=source.model() if info.needs_model else None,
        inputs=MappedRows.of(store, inputs.blobs, cand_rows) if info.needs_model else None,
        progress=lambda f: progress(0.8 + 0.2 * f),
    )


def _bandit(source: OutputSource, inputs: RoundInputs) -> list[BanditStep]:
    """The bandit's history with its last step rewarded now: ALBL's IW-ACC of this round's
    checkpoint on the items auto rounds bought."""
    steps = [BanditStep(**step) for step in inputs.bandit or []]
    if not inputs.bought:
        return steps
    logits = source.rows([(p, r) for p, r, _, _ in inputs.bought]).logits
    correct = logits.argmax(dim=-1) == torch.tensor([y for _, _, y, _ in inputs.bought])
    return rewarded(steps, correct, torch.tensor([q for *_, q in inputs.bought], dtype=torch.float64))


def round_shards(
    store: BlobStore,
    info: StrategyInfo,
    ref: CheckpointRef,
    parent: CheckpointRef | None,
    blobs: dict[int, str],
    pools: set[int],
    passes: Passes,
) -> list[Shard]:
    """The shards of the passes ``build_context`` will read that are not cached yet: the round's
    checkpoint over ``pools`` (those of the candidates and of the labeled target rows), and for
    COD its parent too."""
    out = missing(store, ref, blobs, pools, passes, info.needs_features)
    if info.needs_previous and parent is not None:
        out += missing(store, parent, blobs, pools, passes, info.needs_features)
    return out
