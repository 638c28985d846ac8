"""k-center greedy (CoreSet §6.2, FORGE §3.3) on plain features or Kronecker embeddings.

    s_t = argmax_{i ∉ S} min_{j ∈ S} ||x_i - x_j||,   ties to the lower pool index,

with S starting as the given initial centres (CoreSet: the labeled points) or one first point.
A running min-distance vector is updated with the distances to each new centre only, so a
selection costs at most O(N·K) distance evaluations and O(N) memory; no N x N matrix is formed.
On CPU the updates are lazy (:mod:`lazy_mindist`): on the benchmark pool about 3 % of them run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from models.acquisition.kronecker import (
    DEFAULT_MAX_ELEMENTS,
    KronPoints,
    NumpyPoints,
    min_sqdist,
    on_cpu,
    sqdist_to_one,
)
from models.acquisition.lazy_mindist import LazyMinDist
from models.acquisition.progress import Ticker

FirstCentre = Literal["random", "index0", "max_norm"]


def first_centre(points: KronPoints, first: FirstCentre, generator: torch.Generator) -> int:
    """The first pick when there is no initial centre.

    random: uniform with ``generator`` (FORGE Alg. 1); index0: pool index 0 (BADGE repo's CoreSet,
    +inf distances); max_norm: the largest ||x_i||, ties to the lower index.
    """
    if first == "random":
        return int(torch.randint(len(points), (1,), generator=generator).item())
    if first == "index0":
        return 0
    if first == "max_norm":
        return int(torch.argmax(points.sqnorms()).item())
    raise ValueError(f"unknown first centre rule {first!r}; use 'random', 'index0' or 'max_norm'")


def kcenter_greedy(
    points: KronPoints,
    k: int,
    *,
    initial: KronPoints | None = None,
    first: int | None = None,
    progress: Callable[[float], None] | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> tuple[Tensor, Tensor]:
    """Greedy k-center picks and the distance each pick had to its nearest earlier centre.

    points: N points. initial: M >= 0 centres outside the pool; when there are none, ``first``
    (a pool index) is the first pick, and its distance is the covering radius it leaves, i.e.
    max_i ||x_i - x_first|| (so distances are non-increasing).
    Returns (indices [k] long, distances [k]) with k = min(k, N).
    """
    n, k = len(points), min(int(k), len(points))
    has_initial = initial is not None and len(initial) > 0
    if k > 0 and not has_initial and first is None:
        raise ValueError("k-center greedy needs initial centres or a first index")
    min_d2 = points.a.new_full((n,), torch.inf)
    if has_initial:
        min_d2 = min_sqdist(points, initial, max_elements=max_elements)[0]
    first_pick = None if has_initial else first
    step = _greedy_numpy if on_cpu(points) else _greedy_torch
    picks, dist2 = step(points, min_d2, k, first_pick, Ticker(progress, k))
    if k > 0 and not has_initial:
        dist2[0] = covering_radius2(min_d2) if k == 1 else dist2[1]
    return picks, dist2.clamp_min(0.0).sqrt()


def _greedy_torch(
    points: KronPoints, min_d2: Tensor, k: int, first: int | None, ticker: Ticker
) -> tuple[Tensor, Tensor]:
    """The greedy loop on any device; ``min_d2`` [N] is updated in place (picked -> -inf)."""
    picks = torch.empty(k, dtype=torch.long, device=points.a.device)
    dist2 = points.a.new_empty(k)
    for t in range(k):
        i = first if (t == 0 and first is not None) else int(torch.argmax(min_d2).item())
        picks[t], dist2[t] = i, min_d2[i]
        torch.minimum(min_d2, sqdist_to_one(points, i), out=min_d2)
        min_d2[i] = -torch.inf  # never picked twice, even among exact duplicates
        ticker.tick(t + 1)
    return picks, dist2


def _greedy_numpy(
    points: KronPoints, min_d2: Tensor, k: int, first: int | None, ticker: Ticker
) -> tuple[Tensor, Tensor]:
    """The same picks on CPU in numpy, with lazily refreshed distances (:mod:`lazy_mindist`).

    The eager loop reads the whole pool once per pick (memory-bandwidth bound); here a point is
    compared with the new centres only when its stale distance could still be the largest, in
    batched GEMMs. ``min_d2`` shares memory with the bounds; it is exact on return only when it
    is read (k = 1 without initial centres: the covering radius the first pick leaves).
    """
    state = LazyMinDist(NumpyPoints(points), min_d2.numpy(), capacity=k)
    picks, dist2 = np.empty(k, dtype=np.int64), np.empty(k, dtype=state.ub.dtype)
    for t in range(k):
        i = first if (t == 0 and first is not None) else state.exact_argmax()
        picks[t], dist2[t] = i, state.ub[i]
        state.add(i)
        ticker.tick(t + 1)
    if k == 1 and first is not None:
        state.refresh_all()
    return torch.from_numpy(picks), torch.from_numpy(dist2)


def covering_radius2(min_d2: Tensor) -> Tensor:
    """Largest squared min-distance among unpicked points (picked ones are -inf); 0 if none."""
    finite = min_d2[min_d2 > -torch.inf]
    return finite.max() if finite.numel() else min_d2.new_zeros(())
