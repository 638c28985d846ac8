"""k-means++ seeding by D² sampling (BADGE §6.1; the weighted form seeds CLUE's k-means §6.3).

After the first centre, each next centre is drawn with probability

    P(i) ∝ w_i · D(i)²,   D(i) = min_{c ∈ centres} ||x_i - x_c||,

chosen points having probability 0; if every remaining w·D² is 0 the draw is uniform over the
unchosen points [assumption, §6.1]. Draws use only the given generator.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from models.acquisition.kronecker import KronPoints, sqdist_to_one
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
    chosen = torch.zeros(n, dtype=torch.bool, device=points.a.device)
    min_d2 = points.a.new_full((n,), torch.inf)
    picks = torch.empty(k, dtype=torch.long, device=points.a.device)
    d2_at_pick = points.a.new_empty(k)
    ticker = Ticker(progress, k)
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
