"""BADGE: k-means++ seeding on last-layer gradient embeddings (ALGORITHMS.md §6.1).

    g(x) = (p - e_ŷ) ⊗ h,   first centre = argmax ||g||,   next ~ P(i) ∝ D(i)²

D is the distance to the nearest chosen centre (Kronecker identity, g never built); if every
remaining D is 0 the draw is uniform over the unchosen points.

Reference: Ash et al., "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds",
ICLR 2020 (https://arxiv.org/abs/1906.03671).
"""

from __future__ import annotations

import torch

from models.acquisition.base import AcquisitionContext, Selection, register_strategy
from models.acquisition.embeddings import badge_embedding
from models.acquisition.kmeanspp import kmeanspp_seeding
from models.acquisition.numerics import check_budget


@register_strategy(
    "badge",
    description="k-means++ seeding on last-layer gradient embeddings (p - e_ŷ) ⊗ h: uncertain and diverse.",
    paper="Ash et al., Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds, ICLR 2020",
)
def badge(ctx: AcquisitionContext, budget: int) -> Selection:
    """k-means++ seeds in gradient-embedding space, in the order drawn.

    Score = D at the time of the draw; the first centre's is its norm, its distance to the zero
    embedding of a fully confident sample. Components: grad_norm ||g||, min_distance D.
    """
    k = check_budget(budget, len(ctx.unlabeled))
    points = badge_embedding(ctx.unlabeled.logits, ctx.unlabeled.features)
    norms = points.sqnorms().sqrt()
    if k == 0:
        empty = norms[:0]
        return Selection(torch.zeros(0, dtype=torch.long), empty, {"grad_norm": empty, "min_distance": empty})
    first = int(torch.argmax(norms).item())
    idx, d2 = kmeanspp_seeding(points, k, first=first, generator=ctx.generator, progress=ctx.progress)
    dist = d2.sqrt()
    dist[0] = norms[first]
    return Selection(idx, dist, {"grad_norm": norms[idx], "min_distance": dist})
