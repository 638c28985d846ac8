"""Draws from a discrete law whose weights change a few at a time (two-level inverse CDF).

k-means++ seeding draws ~K times from ``i ∝ w_i ub_i`` while only a handful of entries change
between draws; a fresh cumulative sum over all N entries per draw would be the slowest part of the
lazy seeding. Entries are grouped in blocks: a draw picks a block from the cumulative sum of block
totals, then an entry inside it; an update re-sums only the blocks it touched.
"""

from __future__ import annotations

import numpy as np

BLOCK = 256  # entries per block


class MassSampler:
    """Index ``i`` with probability ``mass_i / Σ mass`` (float64, >= 0); zero-mass entries never."""

    def __init__(self, mass: np.ndarray) -> None:
        self.mass = np.ascontiguousarray(mass, dtype=np.float64)
        self.blocks = np.add.reduceat(self.mass, np.arange(0, len(self.mass), BLOCK))

    def total(self) -> float:
        return float(self.blocks.sum())

    def update(self, index: np.ndarray, values: np.ndarray) -> None:
        """Set ``mass[index] = values`` and re-sum the blocks they fall in."""
        self.mass[index] = values
        for b in np.unique(np.asarray(index) // BLOCK):
            self.blocks[b] = self.mass[b * BLOCK : (b + 1) * BLOCK].sum()

    def draw(self, u: float) -> int:
        """The entry at ``u`` in [0, 1) of the cumulative mass; -1 if every mass is 0."""
        cum = np.cumsum(self.blocks)
        if not cum[-1] > 0:
            return -1
        target = u * cum[-1]
        b = _nonzero_at(self.blocks, int(np.searchsorted(cum, target, side="right")))
        inner = np.cumsum(self.mass[b * BLOCK : (b + 1) * BLOCK])
        j = int(np.searchsorted(inner, target - (cum[b] - self.blocks[b]), side="right"))
        return b * BLOCK + _nonzero_at(self.mass[b * BLOCK : (b + 1) * BLOCK], j)


def _nonzero_at(values: np.ndarray, j: int) -> int:
    """``j`` if values[j] > 0, else the nearest positive entry before it (rounding pushed the
    search past the end or onto an empty slot), else the first positive one after it."""
    j = min(max(j, 0), len(values) - 1)
    if values[j] > 0:
        return j
    before = np.flatnonzero(values[:j] > 0)
    return int(before[-1]) if len(before) else j + int(np.flatnonzero(values[j:] > 0)[0])
