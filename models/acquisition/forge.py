"""FORGE: k-center greedy on feature-norm scaled gradient embeddings (ALGORITHMS.md §3).

    φ(x) = (||∇_θ f(x)|| / ||∇_θ ℓ(x, ŷ)||) ∇_θ ℓ(x, ŷ)  =  √C · u(x) ⊗ h(x)   (last layer),

u = (p - e_ŷ)/||p - e_ŷ|| by the masked exponential of embeddings.py, then k-center greedy from a
first point (Alg. 1: uniform at random). Distances use the Kronecker identity; φ is never built.
FORGE is a single-round method: already labeled points are not used as centres.

Reference: "FORGE: single-round active adaptation", TMLR 2025 (OpenReview Vthqn5VE7L).
"""

from __future__ import annotations

from models.acquisition.base import AcquisitionContext, Selection, register_strategy
from models.acquisition.embeddings import ForgeMode, forge_embedding
from models.acquisition.kcenter import FirstCentre, first_centre, kcenter_greedy
from models.acquisition.numerics import check_budget, check_choice
from models.acquisition.params import ForgeParams


@register_strategy(
    "forge",
    description="k-center greedy on feature-norm scaled gradient embeddings sqrt(C) u ⊗ h (single round).",
    params=ForgeParams,
    paper="FORGE, single-round active adaptation, TMLR 2025",
)
def forge(
    ctx: AcquisitionContext,
    budget: int,
    mode: ForgeMode = "global",
    include_bias: bool = False,
    first: FirstCentre = "random",
) -> Selection:
    """k-center greedy in φ-space; score = distance of each pick to its nearest earlier pick."""
    check_choice("FORGE mode", mode, ForgeMode)
    check_choice("first-centre rule", first, FirstCentre)
    k = check_budget(budget, len(ctx.unlabeled))
    points = forge_embedding(
        ctx.unlabeled.logits, ctx.unlabeled.features, mode=mode, include_bias=include_bias
    )
    start = first_centre(points, first, ctx.generator) if k > 0 else None
    idx, dist = kcenter_greedy(points, k, first=start, progress=ctx.progress)
    return Selection(idx, dist, {"min_distance": dist})
