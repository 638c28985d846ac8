"""Exact Lloyd assignments that recompute only what moved (numpy, CPU).

``LloydAssigner(x)(centroids)`` returns, for a sequence of Lloyd centroids, what
``nearest_rows(centroids, x)`` returns (argmin over the full row of s_ij = ||c_j||² - 2 x_i·c_j,
ties to the lower index), from far fewer scores. A Lloyd step leaves the centroid of every cluster
whose members did not change bit for bit the same, so only the moved centroids M need new scores:

* one GEMM of all points against C[M] (contiguous rows, no gather);
* a point whose own centroid did not move keeps beating every unmoved centroid (their scores are
  the same numbers as last time), so its answer is the best of its cached own score and C[M];
* a point whose own centroid moved could now be won by an unmoved centroid. A per-point lower bound
  L_i <= ||x_i - c_j|| for every other centroid j (made from computed scores, still valid for the
  unmoved ones, refreshed with the new scores of the moved ones) rules that out unless
  L_i² <= u_i² + 2E_i, u_i >= the distance of the best moved candidate; those few points get their
  full row recomputed.

E_i = (D + 4)·eps·(||x_i||² + 2 max_j ||c_j||²) bounds the rounding error of a computed score (dot-
product error bound), so a centroid whose rounded score could tie or beat the candidate is never
ruled out; bounds are rounded outwards. Scores use nearest_rows' expression on blocks big enough
for BLAS's GEMM path, where OpenBLAS returns the same value for an entry whatever the matrix shape
(not so for gemv and its small-matrix kernel), so the answers equal the plain loop's bit for bit:
0 differences in 21 calls on the CLUE benchmark pool (N=50,000, D=512, K=1,000, float32). A BLAS
without that property could differ from nearest_rows only where two scores are within E_i.

Per-group drift bounds (Yinyang k-means) were measured on that pool too: nearest/second-nearest gaps
(~0.26) are below most drifts, so 2-12 groups per point fail and the per-group gathers of rows cost
more than this dense pass over the moved centroids.
"""

from __future__ import annotations

import numpy as np

BLOCK_ELEMENTS = 1 << 22  # scores per block, as nearest_rows (16 MB in float32)
MIN_ROWS = 64  # rows per recomputed block, and
MIN_COLS = 16  # moved centroids per pass (padded with unmoved ones): keeps BLAS off gemv / small kernels


def score_block(x_rows: np.ndarray, c2: np.ndarray, sq_c: np.ndarray) -> np.ndarray:
    """x·(-2 c_j) + ||c_j||² for c2 = -2 c: nearest_rows' ||c_j||² - 2 x·c_j bit for bit.

    (Scaling by -2 is exact, so it commutes with every rounding of the product, barring overflow
    and underflow; one pass over the block fewer.) x_rows [M, D], c2 [J, D] -> [M, J].
    """
    block = x_rows @ c2.T
    block += sq_c
    return block


def row_blocks(n: int, step: int) -> list[slice]:
    """Contiguous blocks of about equal size, at most ``step`` rows (no small last block)."""
    count = -(-n // max(step, 1))
    bounds = np.linspace(0, n, count + 1).round().astype(np.int64)
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def upper_bound(score: np.ndarray, sq_x: np.ndarray, err: np.ndarray) -> np.ndarray:
    """>= the exact distance behind a computed score (rounded up)."""
    d2 = sq_x + score.astype(np.float64) + err
    return np.nextafter(np.sqrt(np.maximum(d2, 0.0)), np.inf)


def lower_bound(score: np.ndarray, sq_x: np.ndarray, err: np.ndarray) -> np.ndarray:
    """<= the exact distance behind a computed score (rounded down)."""
    d2 = sq_x + score.astype(np.float64) - err
    return np.nextafter(np.sqrt(np.maximum(d2, 0.0)), -np.inf)


def pad_columns(moved: np.ndarray, k: int) -> np.ndarray:
    """The moved centroids plus the lowest unmoved ones up to MIN_COLS (or K), ascending."""
    need = min(MIN_COLS, k) - len(moved)
    if need <= 0:
        return moved
    spare = np.setdiff1d(np.arange(min(k, MIN_COLS + len(moved))), moved)[:need]
    return np.union1d(moved, spare)


class LloydAssigner:
    """Nearest centroid of every row of ``x`` [N, D] for a sequence of centroids [K, D] (K fixed).

    Per point: the centroid ``assign``, its computed score ``own`` and the lower bound ``other``
    on the distance to every other centroid. ``fractions`` records, per call, the share of the
    N x K scores that was computed.
    """

    def __init__(self, x: np.ndarray, *, max_elements: int = BLOCK_ELEMENTS) -> None:
        self.x = x
        self.max_elements = max_elements
        self.eps = float(np.finfo(x.dtype).eps)
        self.sq_x = np.einsum("ij,ij->i", x, x).astype(np.float64)
        self.assign = np.zeros(len(x), dtype=np.int64)
        self.own = np.zeros(len(x), dtype=x.dtype)
        self.other = np.zeros(len(x), dtype=np.float64)
        self.centroids: np.ndarray | None = None  # of the previous call
        self.fractions: list[float] = []

    def __call__(self, centroids: np.ndarray) -> np.ndarray:
        c = np.ascontiguousarray(centroids, dtype=self.x.dtype)
        n, k = len(self.x), len(c)
        sq_c = np.einsum("ij,ij->i", c, c)  # as nearest_rows computes them
        err = (c.shape[1] + 4) * self.eps * (self.sq_x + 2.0 * float(sq_c.max()))
        if self.centroids is None or self.centroids.shape != c.shape:
            moved = np.arange(k)
        else:
            moved = np.flatnonzero((c != self.centroids).any(axis=1))
        computed = 0
        c2 = -2.0 * c
        if len(moved) == k:
            for rows in row_blocks(n, self.max_elements // k):
                self._take_rows(rows, score_block(self.x[rows], c2, sq_c), err)
            computed = n * k
        elif len(moved):
            computed = self._update(c2, sq_c, err, moved)
        self.centroids = c.copy()
        self.fractions.append(computed / (n * k))
        return self.assign.copy()

    def _take_rows(self, rows: slice | np.ndarray, scores: np.ndarray, err: np.ndarray) -> None:
        """Full rows of scores: the argmin (lowest index on ties), its score, the next one's bound."""
        at = np.arange(len(scores))
        best = np.argmin(scores, axis=1)
        self.assign[rows], self.own[rows] = best, scores[at, best]
        scores[at, best] = np.inf
        self.other[rows] = lower_bound(scores.min(axis=1), self.sq_x[rows], err[rows])

    def _update(self, c2: np.ndarray, sq_c: np.ndarray, err: np.ndarray, moved: np.ndarray) -> int:
        """Scores against the moved centroids for every point, full rows where the bound fails."""
        k = len(c2)
        cols = pad_columns(moved, k)
        col_of = np.full(k, -1, dtype=np.int64)
        col_of[cols] = np.arange(len(cols))
        was_moved = np.zeros(k, dtype=bool)
        was_moved[moved] = True
        cm, sq_m = c2[cols], sq_c[cols]
        redo = np.concatenate(
            [
                self._merge(rows, score_block(self.x[rows], cm, sq_m), cols, col_of, was_moved, err)
                for rows in row_blocks(len(self.x), self.max_elements // len(cols))
            ]
        )
        if len(redo):
            self._recompute(redo, c2, sq_c, err)
        return len(self.x) * len(cols) + len(redo) * k

    def _merge(
        self,
        rows: slice,
        scores: np.ndarray,
        cols: np.ndarray,
        col_of: np.ndarray,
        was_moved: np.ndarray,
        err: np.ndarray,
    ) -> np.ndarray:
        """Best of the cached own score and the computed ones; returns the rows that need a full row."""
        at = np.arange(len(scores))
        j = np.argmin(scores, axis=1)
        best, best_s = cols[j], scores[at, j]
        old, old_s, bound = self.assign[rows], self.own[rows], self.other[rows]
        own_moved = was_moved[old]
        keep = ~own_moved & ((old_s < best_s) | ((old_s == best_s) & (old < best)))  # ties: lower index
        new, new_s = np.where(keep, old, best), np.where(keep, old_s, best_s)
        # an unmoved centroid can beat a moved own centroid only if its bound allows it
        thr = np.sqrt(upper_bound(new_s, self.sq_x[rows], err[rows]) ** 2 + 2.0 * err[rows])
        fail = own_moved & (bound <= thr)
        # bound on every other centroid: the old one (unmoved), the computed ones, the left own centroid
        in_cols = col_of[new] >= 0
        scores[at[in_cols], col_of[new[in_cols]]] = np.inf
        bound = np.minimum(bound, lower_bound(scores.min(axis=1), self.sq_x[rows], err[rows]))
        left = (new != old) & (col_of[old] < 0)
        bound[left] = np.minimum(
            bound[left], lower_bound(old_s[left], self.sq_x[rows][left], err[rows][left])
        )
        self.assign[rows], self.own[rows], self.other[rows] = new, new_s, bound
        return np.flatnonzero(fail) + rows.start

    def _recompute(self, redo: np.ndarray, c2: np.ndarray, sq_c: np.ndarray, err: np.ndarray) -> None:
        """Full rows for these points (gathered; at least MIN_ROWS rows per product)."""
        step = max(self.max_elements // len(c2), MIN_ROWS)
        for r0 in range(0, len(redo), step):
            rows = redo[r0 : r0 + step]
            ext = rows
            if len(rows) < MIN_ROWS <= len(self.x):  # padded with rows 0.. (their results are dropped)
                ext = np.r_[rows, np.arange(MIN_ROWS - len(rows))]
            scores = score_block(self.x[ext], c2, sq_c)[: len(rows)]
            self._take_rows(rows, np.ascontiguousarray(scores), err)


def weighted_rows(x: np.ndarray, w: np.ndarray, rows: slice | np.ndarray, out: np.ndarray) -> np.ndarray:
    """w_i x_i for the given rows of x, written into the first rows of ``out`` (no new memory)."""
    if isinstance(rows, slice):
        return np.multiply(x[rows], w[rows, None], out=out[: len(x[rows])])
    part = np.take(x, rows, axis=0, out=out[: len(rows)])
    part *= w[rows, None]
    return part
