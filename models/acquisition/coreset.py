"""CoreSet: k-center greedy on penultimate features, labeled points as initial centres (§6.2).

    s_t = argmax_{i ∉ S} min_{j ∈ S ∪ L} ||h_i - h_j||

Reference: Sener & Savarese, "Active Learning for Convolutional Neural Networks: A Core-Set
Approach", ICLR 2018 (https://arxiv.org/abs/1708.00489).
"""

from __future__ import annotations

from models.acquisition.base import AcquisitionContext, Selection, register_strategy
from models.acquisition.kcenter import FirstCentre, first_centre, kcenter_greedy
from models.acquisition.kronecker import KronPoints
from models.acquisition.numerics import check_budget, check_choice, promote
from models.acquisition.params import CoresetParams


@register_strategy(
    "coreset",
    description="k-center greedy on penultimate features, with the labeled items as initial centres.",
    params=CoresetParams,
    paper="Sener & Savarese, Active Learning for CNNs: A Core-Set Approach, ICLR 2018",
)
def coreset(ctx: AcquisitionContext, budget: int, first: FirstCentre = "random") -> Selection:
    """k-center greedy from ctx.labeled_features; ``first`` is used only when nothing is labeled.

    Score = min distance of each pick to the labeled points and earlier picks.
    """
    check_choice("first-centre rule", first, FirstCentre)
    k = check_budget(budget, len(ctx.unlabeled))
    h, labeled = ctx.unlabeled.features, ctx.labeled_features
    initial = None
    if labeled is not None and len(labeled) > 0:
        h, labeled = promote(h, labeled.to(h.device))
        initial = KronPoints.plain(labeled)
    points = KronPoints.plain(promote(h, h)[0])
    start = first_centre(points, first, ctx.generator) if initial is None and k > 0 else None
    idx, dist = kcenter_greedy(points, k, initial=initial, first=start, progress=ctx.progress)
    return Selection(idx, dist, {"min_distance": dist})
