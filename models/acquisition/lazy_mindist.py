"""Nearest-centre distances kept as upper bounds and brought up to date only where needed.

k-center greedy and k-means++ seeding add one centre at a time and, done eagerly, read the whole
pool once per centre (one mat-vec, memory-bandwidth bound). Both only ever need the exact
distance of a few points per step:

- k-center takes ``argmax_i D(i)²``. A point's distance to the centres it has not yet been compared
  with can only lower its value, so a stale value is an upper bound ``ub_i >= D(i)²``. If the
  largest upper bound belongs to an up-to-date point, that point is the exact argmax (and the
  first such index in pool order, as ``np.argmax`` breaks ties).
- k-means++ draws ``i ∝ w_i D(i)²``. Drawing ``i ∝ w_i ub_i`` and accepting with probability
  ``D(i)² / ub_i`` (rejection sampling) follows exactly the same law.

Points are refreshed lazily, in batches, against the centres added since their last refresh: a
small GEMM over rows that are still candidates instead of a pass over every row per centre. The
values are float32/float64 evaluations of the same distances as the eager loops, so the picks are
the same up to the last-bit rounding of a different summation order.
"""

from __future__ import annotations

import numpy as np

from models.acquisition.kronecker import DEFAULT_MAX_ELEMENTS, NumpyPoints

REFRESH_ROWS = 1024  # rows per refresh block (sorted by staleness, so a block shares its centres)


class LazyMinDist:
    """Upper bounds ``ub`` [N] on each point's squared distance to its nearest centre.

    ``ub[i]`` is exact for the initial bounds and the first ``seen[i]`` centres added with
    :meth:`add`; :meth:`refresh` makes it exact for all centres so far. ``ub`` is updated in place
    (callers may pass a view of their own array). A centre's own entry is set to -inf so that it
    is never a candidate again, even among exact duplicates.
    """

    def __init__(self, pts: NumpyPoints, ub: np.ndarray, capacity: int) -> None:
        self.pts, self.ub = pts, ub
        self.seen = np.zeros(len(ub), dtype=np.int64)
        self.count = 0
        self.ca = np.empty((capacity, pts.a.shape[1]), dtype=pts.a.dtype)
        self.cb = np.empty((capacity, pts.b.shape[1]), dtype=pts.b.dtype)
        self.csq = np.empty(capacity, dtype=pts.sq.dtype)
        self.pairs_computed = 0  # work counter, read by tests and benchmarks

    def add(self, i: int) -> None:
        """Make pool point ``i`` a centre; it leaves the candidates (ub = -inf)."""
        c = self.count
        self.ca[c], self.cb[c], self.csq[c] = self.pts.a[i], self.pts.b[i], self.pts.sq[i]
        self.count += 1
        self.ub[i] = -np.inf
        self.seen[i] = self.count

    def is_stale(self, i: int) -> bool:
        return bool(self.seen[i] < self.count)

    def stale_at_least(self, value: float) -> np.ndarray:
        """Indices of stale points whose bound is >= ``value`` (they may still reach it)."""
        return np.flatnonzero((self.ub >= value) & (self.seen < self.count))

    def refresh(self, index: np.ndarray | list[int]) -> None:
        """Bring ``ub`` at ``index`` up to date: min with the distances to the unseen centres."""
        index = np.asarray(index, dtype=np.int64)
        index = index[self.seen[index] < self.count]
        if len(index) == 0:
            return
        index = index[np.argsort(self.seen[index], kind="stable")]
        for r0 in range(0, len(index), REFRESH_ROWS):
            rows = index[r0 : r0 + REFRESH_ROWS]
            lo = int(self.seen[rows[0]])  # sorted: the stalest row of the block
            step = max(DEFAULT_MAX_ELEMENTS // max(len(rows), 1), 1)
            for c0 in range(lo, self.count, step):
                c1 = min(c0 + step, self.count)
                self.ub[rows] = np.minimum(self.ub[rows], self._sqdist(rows, c0, c1).min(axis=1))
            self.seen[rows] = self.count
            self.pairs_computed += len(rows) * (self.count - lo)

    def refresh_all(self) -> None:
        self.refresh(np.flatnonzero(self.seen < self.count))

    def _sqdist(self, rows: np.ndarray, c0: int, c1: int) -> np.ndarray:
        """[len(rows), c1 - c0] squared distances of pool ``rows`` to centres ``c0:c1``, >= 0."""
        pts = self.pts
        d2 = pts.b[rows] @ self.cb[c0:c1].T
        if pts.plain:
            d2 *= -2.0
        else:
            d2 *= -2.0 * (pts.a[rows] @ self.ca[c0:c1].T)
        d2 += pts.sq[rows, None]
        d2 += self.csq[None, c0:c1]
        return np.maximum(d2, 0.0, out=d2)

    def exact_argmax(self, tries: int = 8) -> int:
        """The first index of the largest exact value among the candidates.

        Refreshes the largest bound until it is exact; after ``tries`` such single refreshes, every
        stale point whose bound reaches the best exact value found is refreshed in one batch.
        """
        best = -np.inf
        for _ in range(tries):
            i = int(np.argmax(self.ub))
            if not self.is_stale(i):
                return i
            self.refresh([i])
            best = max(best, float(self.ub[i]))
        self.refresh(self.stale_at_least(best))
        i = int(np.argmax(self.ub))
        assert not self.is_stale(i)  # every bound >= best is exact now, and ub[i] >= best
        return i
