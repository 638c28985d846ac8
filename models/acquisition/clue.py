"""CLUE: clustering uncertainty-weighted embeddings (ALGORITHMS.md §6.3).

    w(x) = H(softmax(z / T) + 1e-8)       (1e-8 added to the probabilities before the log)

Weighted k-means with K = budget on penultimate features h (k-means++ seeding weighted by w, then
Lloyd steps with centroid = Σ w h / Σ w), then for each centroid the nearest pool point; duplicates
are replaced by that centroid's 2nd, 3rd, ... nearest until K points are distinct.

Reference: Prabhu et al., "Active Domain Adaptation via Clustering Uncertainty-weighted
Embeddings", ICCV 2021 (https://arxiv.org/abs/2010.08666).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from models.acquisition.base import AcquisitionContext, Selection, register_strategy
from models.acquisition.kmeanspp import kmeanspp_seeding
from models.acquisition.kronecker import (
    DEFAULT_MAX_ELEMENTS,
    KronPoints,
    min_sqdist,
    nearest_points,
    row_chunk,
)
from models.acquisition.lloyd import LloydAssigner, weighted_rows
from models.acquisition.numerics import check_budget, promote, upcast
from models.acquisition.params import ClueParams
from models.acquisition.progress import Ticker, scaled


def clue_weights(logits: Tensor, temperature: float = 1.0) -> Tensor:
    """w = -Σ q log q with q = softmax(z/T) + 1e-8. [N, C] -> [N] (>= 0 after clamping).

    [2, 1, 0]: 0.832396 at T = 1, 0.000500 at T = 0.1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    q = torch.softmax(upcast(logits) / temperature, dim=1) + 1e-8
    return (-(q * torch.log(q)).sum(dim=1)).clamp_min(0.0)


def nearest_rows(x: Tensor, y: Tensor, *, max_elements: int = DEFAULT_MAX_ELEMENTS) -> Tensor:
    """For every row of ``y`` the index of its nearest row of ``x`` (ties to the lower index).

    argmin_i ||x_i - y_j||² = argmin_i (||x_i||² - 2 x_i·y_j): one GEMM per block of ``y`` rows,
    at most ``max_elements`` entries at once. On CPU in numpy: BLAS at the machine's GEMM rate and
    two in-place passes, where torch's element-wise ops stall on shared cores (benchmarks/README.md).
    x: [M, D], y: [N, D] -> [N] long.
    """
    if x.device.type != "cpu" or x.requires_grad or y.requires_grad:
        return min_sqdist(KronPoints.plain(y), KronPoints.plain(x), max_elements=max_elements)[1]
    xn, yn = x.numpy(), y.numpy()
    sq = np.einsum("ij,ij->i", xn, xn)
    out = np.empty(len(yn), dtype=np.int64)
    step = row_chunk(len(xn), max_elements)
    for r0 in range(0, len(yn), step):
        block = yn[r0 : r0 + step] @ xn.T
        block *= -2.0
        block += sq
        out[r0 : r0 + step] = np.argmin(block, axis=1)
    return torch.from_numpy(out)


LLOYD_BLOCK = 16384  # rows per block of the weighted sums
GATHER_SHARE = 0.4  # sum only the changed clusters' rows when they are fewer than this share of N
WEIGHTED_COPY_BYTES = 1 << 28  # lloyd() keeps the weighted rows w_i x_i when they take at most 256 MB


def lloyd_step(
    x: Tensor,
    weights: Tensor,
    assign: Tensor,
    centroids: Tensor,
    *,
    previous: Tensor | None = None,
    weighted: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Weighted means of each cluster; an empty (or zero-weight) cluster keeps its centroid.

    ``previous``: the assignment of the step that produced ``centroids``. Then the clusters whose
    members did not change keep their centroid (summing the same rows in the same order would repeat
    it bit for bit), and when few rows are left only those are summed. ``weighted``: x * weights[:, None]
    when already made (the same products, gathered when few rows are summed).
    x: [N, D], weights: [N], assign: [N] -> (centroids [K, D], cluster weight [K]).
    """
    k = len(centroids)
    mass = weights.new_zeros(k).index_add_(0, assign, weights)
    keep = mass <= 0
    rows = None
    if previous is not None:
        moved = assign != previous
        changed = torch.zeros(k, dtype=torch.bool, device=x.device)
        changed[assign[moved]] = True
        changed[previous[moved]] = True
        keep |= ~changed
        members = torch.nonzero(changed[assign]).squeeze(1)  # ascending: same order per cluster
        rows = members if len(members) < GATHER_SHARE * len(x) else None  # gathering pays then
    if weighted is None:
        sums = _weighted_sums(x, weights, assign, k, rows)
    else:
        sums = _sums(weighted, assign, k) if rows is None else _sums(weighted[rows], assign[rows], k)
    new = torch.where(keep[:, None], centroids, sums / mass.clamp_min(torch.finfo(mass.dtype).tiny)[:, None])
    return new, mass


def _sums(rows: Tensor, assign: Tensor, k: int) -> Tensor:
    """Σ rows_i per cluster, added row by row in ascending order."""
    return torch.zeros(k, rows.shape[1], dtype=rows.dtype, device=rows.device).index_add_(0, assign, rows)


def _weighted_sums(x: Tensor, weights: Tensor, assign: Tensor, k: int, rows: Tensor | None) -> Tensor:
    """Σ w_i x_i per cluster over ``rows`` (None: all), added row by row in ascending order.

    On CPU without autograd the weighted rows are made by numpy in one reused block (torch's
    element-wise ops stall on shared cores, and a fresh block per step costs page faults).
    """
    sums = torch.zeros(k, x.shape[1], dtype=x.dtype, device=x.device)
    n = len(x) if rows is None else len(rows)
    on_cpu = x.device.type == "cpu" and not (x.requires_grad or weights.requires_grad)
    xn, wn = (x.numpy(), weights.numpy()) if on_cpu else (None, None)
    buf = np.empty((min(LLOYD_BLOCK, n), x.shape[1]), dtype=xn.dtype) if xn is not None else None
    for start in range(0, n, LLOYD_BLOCK):  # no weighted copy of the whole pool
        idx = slice(start, start + LLOYD_BLOCK) if rows is None else rows[start : start + LLOYD_BLOCK]
        if buf is None:
            part = x[idx] * weights[idx, None]
        else:
            part = torch.from_numpy(weighted_rows(xn, wn, idx if rows is None else idx.numpy(), buf))
        sums.index_add_(0, assign[idx], part)
    return sums


def weighted_kmeans(
    x: Tensor,
    weights: Tensor,
    k: int,
    *,
    n_iter: int,
    generator: torch.Generator,
    progress: Callable[[float], None] | None = None,
) -> tuple[Tensor, Tensor]:
    """Weighted k-means in torch. x: [N, D], weights: [N] >= 0, 1 <= k <= N.

    Returns (centroids [k, D], cluster weight [k] under the final assignment).
    """
    w = weights if bool(weights.sum() > 0) else torch.ones_like(weights)
    points = KronPoints.plain(x)
    first = int(torch.multinomial((w / w.sum()).cpu(), 1, generator=generator).item())
    seeds, _ = kmeanspp_seeding(
        points, k, first=first, generator=generator, weights=w, progress=scaled(progress, 0.0, 0.5)
    )
    return lloyd(x, w, x[seeds], n_iter=n_iter, progress=scaled(progress, 0.5, 1.0))


def lloyd(
    x: Tensor,
    weights: Tensor,
    centroids: Tensor,
    *,
    n_iter: int,
    progress: Callable[[float], None] | None = None,
    incremental: bool = True,
) -> tuple[Tensor, Tensor]:
    """Up to ``n_iter`` Lloyd steps from ``centroids``, stopping when the assignment repeats.

    Assignments as ``nearest_rows`` (ties to the lower centroid), means as ``lloyd_step``. With
    ``incremental`` (the default) the same numbers come from less work: only the clusters whose
    members changed are summed again, and on CPU without autograd the assignments come from
    ``LloydAssigner`` (scores of the moved centroids only). ``incremental=False`` is the plain loop.
    Returns (centroids [K, D], cluster weight [K] under the final assignment).
    """
    nearest = _assigner(x, centroids, incremental)
    keep_weighted = not (x.requires_grad or weights.requires_grad)
    weighted = x * weights[:, None] if keep_weighted and x.nbytes <= WEIGHTED_COPY_BYTES else None
    ticker = Ticker(progress, n_iter)
    assign = None
    for it in range(n_iter):
        new_assign = nearest(centroids)
        if assign is not None and torch.equal(new_assign, assign):
            break
        previous, assign = (assign if incremental else None), new_assign
        centroids, _ = lloyd_step(x, weights, assign, centroids, previous=previous, weighted=weighted)
        ticker.tick(it + 1)
    ticker.finish()
    final = nearest(centroids)
    previous = assign if incremental else None
    return centroids, lloyd_step(x, weights, final, centroids, previous=previous, weighted=weighted)[1]


def _assigner(x: Tensor, centroids: Tensor, incremental: bool) -> Callable[[Tensor], Tensor]:
    """centroids -> nearest centroid of every row of x: LloydAssigner on CPU, else nearest_rows."""
    if not incremental or x.device.type != "cpu" or x.requires_grad or centroids.requires_grad:
        return lambda c: nearest_rows(c, x)
    assigner = LloydAssigner(x.numpy())
    return lambda c: torch.from_numpy(assigner(c.numpy()))


def distinct_nearest(x: Tensor, centroids: Tensor) -> tuple[Tensor, Tensor]:
    """One distinct pool point per centroid: its nearest, else its next nearest not yet taken.

    Centroids are served in the given order: all first choices, then, for the centroids that lost
    theirs, the 2nd, 3rd, ... nearest rank by rank. Only those centroids get a longer list (K
    nearest each, enough for all of them), so memory stays ~ (#conflicts x K), never N x N.
    x: [N, D], centroids: [K, D], K <= N. Returns (pool indices [K], centroid of each pick [K]).
    """
    points, k = KronPoints.plain(x), len(centroids)
    taken: dict[int, int] = {}  # pool index -> centroid, in order of acceptance
    first = nearest_rows(x, centroids).tolist()
    waiting = [c for c in range(k) if not _take(taken, first[c], c)]
    if waiting:
        ranked = nearest_points(points, KronPoints.plain(centroids[waiting]), k)[0].tolist()
        left = list(range(len(waiting)))
        for rank in range(len(ranked[0])):  # rank 0 is taken; recheck it anyway (rounding)
            left = [j for j in left if not _take(taken, ranked[j][rank], waiting[j])]
    return torch.tensor(list(taken)), torch.tensor(list(taken.values()))


def _take(taken: dict[int, int], index: int, centroid: int) -> bool:
    """Give pool point ``index`` to ``centroid`` unless another centroid already has it."""
    if index in taken:
        return False
    taken[index] = centroid
    return True


@register_strategy(
    "clue",
    description="Entropy-weighted k-means on features; the nearest item to each centroid.",
    params=ClueParams,
    paper="Prabhu et al., Active Domain Adaptation via Clustering Uncertainty-weighted Embeddings, ICCV 2021",
)
def clue(ctx: AcquisitionContext, budget: int, temperature: float = 1.0, n_iter: int = 20) -> Selection:
    """Nearest pool point of each uncertainty-weighted k-means centroid, K = budget.

    Picks are ordered by their cluster's total weight Σ w (score), heaviest first; components:
    uncertainty w of the pick and cluster_weight.
    """
    k = check_budget(budget, len(ctx.unlabeled))
    w = clue_weights(ctx.unlabeled.logits, temperature)
    h, w = promote(ctx.unlabeled.features, w)
    if k == 0:
        return Selection(
            torch.zeros(0, dtype=torch.long), w[:0], {"uncertainty": w[:0], "cluster_weight": w[:0]}
        )
    centroids, mass = weighted_kmeans(h, w, k, n_iter=n_iter, generator=ctx.generator, progress=ctx.progress)
    order = torch.argsort(-mass, stable=True)
    idx, cen = distinct_nearest(h, centroids[order])
    score = mass[order][cen.to(h.device)]
    best = torch.argsort(-score, stable=True)  # replacement picks join their cluster's rank
    idx, score = idx.to(h.device)[best], score[best]
    return Selection(idx, score, {"uncertainty": w[idx], "cluster_weight": score})
