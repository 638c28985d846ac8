"""k-means++ seeding by D² sampling (BADGE §6.1; the weighted form seeds CLUE's k-means §6.3).

After the first centre, each next centre is drawn with probability

    P(i) ∝ w_i · D(i)²,   D(i) = min_{c ∈ centres} ||x_i - x_c||,

chosen points having probability 0; if every remaining w·D² is 0 the draw is uniform over the
unchosen points [assumption, §6.1]. Draws use only the given generator.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from models.acquisition.kronecker import KronPoints, NumpyPoints, on_cpu, sqdist_to_one
from models.acquisition.lazy_mindist import LazyMinDist
from models.acquisition.mass_sampler import MassSampler
from models.acquisition.progress import Ticker


def kmeanspp_probabilities(min_d2: Tensor, chosen: Tensor, weights: Tensor | None = None) -> Tensor:
    """Next-centre probabilities ∝ w·D² over unchosen points, uniform if all of them are 0.

    min_d2: [N] squared distance to the nearest centre. chosen: [N] bool. weights: [N] >= 0 or None.
    Returns [N] summing to 1 (0 where chosen). Example: points [0],[1],[3],[-2] with centre 2
    -> D = [3, 2, 0, 5] -> [0.236842, 0.105263, 0, 0.657895].
    """
    mass = min_d2 if weights is None else min_d2 * weights
    mass = mass.masked_fill(chosen, 0.0)
    if not bool(mass.sum() > 0):
        mass = (~chosen).to(min_d2.dtype)
    return mass / mass.sum()


def kmeanspp_seeding(
    points: KronPoints,
    k: int,
    *,
    first: int,
    generator: torch.Generator,
    weights: Tensor | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[Tensor, Tensor]:
    """k-means++ seeds: ``first``, then D² draws (weighted by ``weights`` if given).

    points: N points, k <= N. Returns (indices [k] long, d2 [k]): each seed's squared distance to the
    nearest earlier seed when it was drawn (+inf for the first, which has none).
    """
    n, k = len(points), min(int(k), len(points))
    ticker = Ticker(progress, k)
    if on_cpu(points) and (weights is None or weights.device.type == "cpu"):
        return _seeding_numpy(points, k, first, generator, weights, ticker)
    chosen = torch.zeros(n, dtype=torch.bool, device=points.a.device)
    min_d2 = points.a.new_full((n,), torch.inf)
    picks = torch.empty(k, dtype=torch.long, device=points.a.device)
    d2_at_pick = points.a.new_empty(k)
    for t in range(k):
        if t == 0:
            i = first
        else:
            probs = kmeanspp_probabilities(min_d2, chosen, weights)
            i = int(torch.multinomial(probs.cpu(), 1, generator=generator).item())
        picks[t], d2_at_pick[t], chosen[i] = i, min_d2[i], True
        new = sqdist_to_one(points, i)
        min_d2 = torch.minimum(min_d2, new)
        ticker.tick(t + 1)
    return picks, d2_at_pick


def _seeding_numpy(
    points: KronPoints,
    k: int,
    first: int,
    generator: torch.Generator,
    weights: Tensor | None,
    ticker: Ticker,
) -> tuple[Tensor, Tensor]:
    """The same seeding on CPU in numpy, with lazily refreshed distances (:mod:`lazy_mindist`):
    each draw is a rejection-sampled D² draw (:class:`D2Draws`), so a step compares only the drawn
    points with the centres they have not seen, instead of reading the whole pool."""
    pts = NumpyPoints(points)
    state = LazyMinDist(pts, np.full(len(pts.sq), np.inf, dtype=pts.sq.dtype), capacity=k)
    draws = None
    picks, d2_at_pick = np.empty(k, dtype=np.int64), np.empty(k, dtype=pts.sq.dtype)
    for t in range(k):
        if t == 1:  # every point has been compared with the first centre only: all bounds exact
            state.refresh_all()
            draws = D2Draws(state, None if weights is None else weights.numpy())
        i = first if draws is None else draws.draw(generator)
        picks[t], d2_at_pick[t] = i, state.ub[i]
        state.add(i)
        if draws is not None:
            draws.refreshed([i])
        ticker.tick(t + 1)
    return torch.from_numpy(picks), torch.from_numpy(d2_at_pick)


class D2Draws:
    """Draws ``i ∝ w_i D(i)²`` over the candidates of a :class:`LazyMinDist` (uniform if all are 0).

    The same law as :func:`kmeanspp_probabilities`, by rejection: propose ``j ∝ w_j ub_j`` from the
    current bounds (:class:`MassSampler`), refresh ``j``, accept with probability ``D(j)² / ub_j``.
    Whatever the proposal was, an accepted draw follows the target law, so the proposal may change
    between proposals; it is kept equal to the bounds. Two uniforms from the generator per proposal.
    After ``tries`` rejections in one draw every bound is refreshed: the next proposal is exact and
    accepted. Every bound must be finite (each point compared with some centre).
    """

    def __init__(self, state: LazyMinDist, weights: np.ndarray | None, tries: int = 16) -> None:
        self.state, self.tries = state, tries
        self.weights = None if weights is None else np.asarray(weights, dtype=np.float64)
        self.sampler = MassSampler(self._mass(slice(None)))

    def _mass(self, index: slice | np.ndarray) -> np.ndarray:
        mass = np.maximum(self.state.ub[index].astype(np.float64), 0.0)  # centres (-inf) get 0
        return mass if self.weights is None else mass * self.weights[index]

    def refreshed(self, index: list[int] | np.ndarray) -> None:
        """Bounds at ``index`` changed (a refresh, or a new centre): follow them."""
        index = np.asarray(index, dtype=np.int64)
        self.sampler.update(index, self._mass(index))

    def draw(self, generator: torch.Generator) -> int:
        """One index whose ``state.ub`` is exact on return."""
        state = self.state
        for attempt in range(self.tries + 1):
            if attempt == self.tries:  # give up proposing from stale bounds
                state.refresh_all()
                self.sampler = MassSampler(self._mass(slice(None)))
            u_pick, u_accept = torch.rand(2, generator=generator, dtype=torch.float64).tolist()
            j = self.sampler.draw(u_pick)
            if j < 0:
                break
            bound = float(state.ub[j])
            state.refresh([j])
            self.refreshed([j])
            if u_accept * bound < float(state.ub[j]):
                return j
        state.refresh_all()  # every w·D² is 0: uniform over the candidates
        free = np.flatnonzero(state.ub > -np.inf)
        u = float(torch.rand((), generator=generator, dtype=torch.float64))
        return int(free[min(int(u * len(free)), len(free) - 1)])
