"""Points given as Kronecker factors and their chunked distances (ALGORITHMS.md §0.3-5).

A gradient embedding ``g_i = a_i ⊗ b_i`` (for BADGE ``a = p - e_ŷ``, ``b = h``) has C·D entries;
it is never built. Distances come from the identity

    ||a_i⊗b_i - a_j⊗b_j||² = |a_i|²|b_i|² + |a_j|²|b_j|² - 2 (a_i·a_j)(b_i·b_j),

clamped at 0 before any square root. Plain feature vectors are the special case ``a = 1``, so one
k-center / k-means++ implementation serves both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

DEFAULT_MAX_ELEMENTS = 1 << 22  # entries of one distance block: 4M floats, 16 MB in float32


@dataclass(frozen=True)
class KronPoints:
    """N points ``x_i = a_i ⊗ b_i`` (row-major ``vec(a_i b_iᵀ)``) kept as factors.

    a: [N, A]. b: [N, B]. Same dtype and device. sq: [N] squared norms |a_i|²|b_i|², computed once
    at construction when not given (a k-center step then costs two mat-vecs, not a pass over b²).
    """

    a: Tensor
    b: Tensor
    sq: Tensor | None = None

    def __post_init__(self) -> None:
        if self.a.dim() != 2 or self.b.dim() != 2 or self.a.shape[0] != self.b.shape[0]:
            raise ValueError("KronPoints factors must be [N, A] and [N, B] with the same N")
        if (
            self.sq is None
        ):  # sums of squares, not squared norms: exact on integer data, so exact ties stay ties
            sq = torch.einsum("ij,ij->i", self.a, self.a) * torch.einsum("ij,ij->i", self.b, self.b)
            object.__setattr__(self, "sq", sq)

    @classmethod
    def plain(cls, x: Tensor) -> KronPoints:
        """Feature vectors x: [N, D] as ``1 ⊗ x``."""
        return cls(x.new_ones(x.shape[0], 1), x)

    def __len__(self) -> int:
        return int(self.a.shape[0])

    def subset(self, index: Tensor) -> KronPoints:
        """Points at ``index`` ([m] long) -> m points."""
        return KronPoints(self.a[index], self.b[index], self.sqnorms()[index])

    def rows(self, start: int, stop: int) -> KronPoints:
        """Points ``start:stop`` (views, no copy)."""
        return KronPoints(self.a[start:stop], self.b[start:stop], self.sqnorms()[start:stop])

    def sqnorms(self) -> Tensor:
        """[N]: ||a_i ⊗ b_i||² = |a_i|² |b_i|²."""
        assert self.sq is not None  # set in __post_init__
        return self.sq


def kron_sqdist(p: KronPoints, q: KronPoints) -> Tensor:
    """Squared distances of every p_i to every q_j by the Kronecker identity, clamped at 0.

    p: n points, q: m points -> [n, m]. Callers keep n·m small (see :func:`row_chunk`).
    """
    cross = (p.a @ q.a.T) * (p.b @ q.b.T)
    d2 = p.sqnorms()[:, None] + q.sqnorms()[None, :] - 2.0 * cross
    return d2.clamp_min_(0.0)


def sqdist_to_one(points: KronPoints, i: int) -> Tensor:
    """[N] squared distances of every point to point ``i`` (two mat-vecs, O(N) memory).

    The one pass over the pool each step of the device-generic k-center / k-means++ loops makes;
    on CPU those loops run lazily in numpy instead (:mod:`models.acquisition.lazy_mindist`).
    """
    cross = (points.a @ points.a[i]) * (points.b @ points.b[i])
    return (points.sqnorms() + points.sqnorms()[i] - 2.0 * cross).clamp_min_(0.0)


def on_cpu(points: KronPoints) -> bool:
    """True when the numpy fast paths apply: CPU tensors that need no autograd."""
    return points.a.device.type == "cpu" and not (points.a.requires_grad or points.b.requires_grad)


class NumpyPoints:
    """Numpy views of CPU :class:`KronPoints` (shared memory) for the lazy CPU loops.

    Plain points (``a`` all ones) skip the ``a`` factor entirely, so a distance block reads ``b``
    only.
    """

    def __init__(self, points: KronPoints) -> None:
        self.a, self.b, self.sq = points.a.numpy(), points.b.numpy(), points.sqnorms().numpy()
        self.plain = self.a.shape[1] == 1 and bool(np.all(self.a == 1))


def row_chunk(n_cols: int, max_elements: int = DEFAULT_MAX_ELEMENTS) -> int:
    """Rows per block so that a block of ``rows x n_cols`` distances has <= max_elements entries."""
    return max(max_elements // max(n_cols, 1), 1)


def min_sqdist(
    points: KronPoints, centres: KronPoints, *, max_elements: int = DEFAULT_MAX_ELEMENTS
) -> tuple[Tensor, Tensor]:
    """Squared distance of each point to its nearest centre, and that centre's index.

    points: N, centres: M >= 1 -> (values [N], argmin [N] long; ties to the lower centre index).
    Works block by block: at most ``max_elements`` distances exist at once.
    """
    n, m = len(points), len(centres)
    col = min(m, max_elements)
    best = points.a.new_full((n,), torch.inf)
    arg = torch.zeros(n, dtype=torch.long, device=points.a.device)
    for c0 in range(0, m, col):
        cen = centres.rows(c0, c0 + col)
        step = row_chunk(len(cen), max_elements)
        for r0 in range(0, n, step):
            val, idx = kron_sqdist(points.rows(r0, r0 + step), cen).min(dim=1)
            better = val < best[r0 : r0 + step]  # strict: an earlier centre keeps its tie
            best[r0 : r0 + step] = torch.where(better, val, best[r0 : r0 + step])
            arg[r0 : r0 + step] = torch.where(better, idx + c0, arg[r0 : r0 + step])
    return best, arg


def nearest_points(
    points: KronPoints, centres: KronPoints, m: int, *, max_elements: int = DEFAULT_MAX_ELEMENTS
) -> tuple[Tensor, Tensor]:
    """For every centre, its ``m`` nearest points, nearest first (ties to the lower point index).

    points: N, centres: K -> (indices [K, m'], squared distances [K, m']) with m' = min(m, N).
    Points are scanned in blocks and merged with a stable sort, so no K x N matrix is kept.
    """
    n = len(points)
    m = min(m, n)
    if on_cpu(points) and on_cpu(centres) and n > 0:
        return _nearest_points_numpy(NumpyPoints(points), NumpyPoints(centres), m, max_elements)
    best_d = centres.a.new_empty((len(centres), 0))
    best_i = torch.empty((len(centres), 0), dtype=torch.long, device=centres.a.device)
    step = row_chunk(len(centres), max_elements)
    for r0 in range(0, n, step):
        rows = torch.arange(r0, min(r0 + step, n), device=points.a.device)
        d2 = kron_sqdist(centres, points.rows(r0, r0 + step))  # [K, rows]
        cat_d = torch.cat([best_d, d2], dim=1)
        cat_i = torch.cat([best_i, rows.expand(len(centres), -1)], dim=1)
        order = torch.argsort(cat_d, dim=1, stable=True)[:, :m]
        best_d, best_i = cat_d.gather(1, order), cat_i.gather(1, order)
    return best_i, best_d


def _nearest_points_numpy(
    pts: NumpyPoints, cen: NumpyPoints, m: int, max_elements: int
) -> tuple[Tensor, Tensor]:
    """:func:`nearest_points` on CPU: full distance rows for a block of centres at a time, the
    ``m`` smallest by partition, then ordered by (distance, index). Entries tied with the m-th
    value are all considered, so ties still go to the lower point index."""
    k, n = len(cen.sq), len(pts.sq)
    out_i, out_d = np.empty((k, m), dtype=np.int64), np.empty((k, m), dtype=pts.sq.dtype)
    step = row_chunk(n, max_elements)
    for r0 in range(0, k, step):
        rows = slice(r0, min(r0 + step, k))
        cross = cen.b[rows] @ pts.b.T
        if not (pts.plain and cen.plain):
            cross *= cen.a[rows] @ pts.a.T
        d2 = cen.sq[rows, None] + pts.sq[None, :] - 2.0 * cross
        np.maximum(d2, 0.0, out=d2)
        part = np.argpartition(d2, m - 1, axis=1)[:, :m] if m < n else np.broadcast_to(np.arange(n), d2.shape)
        for j, (row, cand) in enumerate(zip(d2, part, strict=True)):
            edge = row[cand].max()
            if np.count_nonzero(row <= edge) > m:  # ties at the cut: take the lowest indices
                cand = np.flatnonzero(row <= edge)
            cand = cand[np.lexsort((cand, row[cand]))][:m]
            out_i[r0 + j], out_d[r0 + j] = cand, row[cand]
    return torch.from_numpy(out_i), torch.from_numpy(out_d)
