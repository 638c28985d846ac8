"""Single-score uncertainty baselines: random, entropy, margin (BvSB), least confidence.

Each reads only the unlabeled pool's logits z [N, C], scores every item (higher = more
informative, ALGORITHMS.md §0.3) and keeps the top ``budget`` via ``top_by_score`` (ties go to
the lower pool index). Probabilities come from a max-shifted log-sum-exp in at least float32.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from models.acquisition.base import AcquisitionContext, Selection, register_strategy, top_by_score
from models.acquisition.numerics import log_softmax_rows, top2_rows


def _no_params(name: str, params: dict[str, Any]) -> None:
    if params:
        raise TypeError(f"strategy {name!r} takes no parameters, got {sorted(params)}")


def _check_budget(budget: int) -> int:
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
        raise ValueError(f"budget must be a non-negative integer, got {budget!r}")
    return budget


def _logits(ctx: AcquisitionContext) -> Tensor:
    """z: [N, C], upcast to float32 when stored narrower (fp16/bf16 ties)."""
    z = ctx.unlabeled.logits
    if z.dim() != 2:
        raise ValueError(f"logits must have shape [N, C], got {tuple(z.shape)}")
    return z if z.dtype == torch.float64 else z.float()


@register_strategy(
    "random",
    needs_features=False,
    description="Uniformly random items (seeded), the baseline every method must beat.",
)
def random_priority(ctx: AcquisitionContext, budget: int, **params: Any) -> Selection:
    """Uniform without replacement: score = a U(0,1) priority drawn from ``ctx.generator``."""
    _no_params("random", params)
    n = len(ctx.unlabeled)
    priority = torch.rand(n, generator=ctx.generator, dtype=torch.float64)
    return top_by_score(priority, _check_budget(budget), {"priority": priority})


@register_strategy(
    "entropy",
    needs_features=False,
    description="Highest predictive entropy H(softmax(z)).",
)
def entropy(ctx: AcquisitionContext, budget: int, **params: Any) -> Selection:
    """Highest predictive entropy: score = H(softmax(z)) [N]."""
    _no_params("entropy", params)
    log_p = log_softmax_rows(_logits(ctx))
    p = log_p.exp()  # one softmax serves both the score and max_prob
    h = -(p * log_p).sum(dim=-1)
    return top_by_score(h, _check_budget(budget), {"entropy": h, "max_prob": p.amax(dim=-1)})


@register_strategy(
    "margin",
    needs_features=False,
    description="Smallest gap between the two most probable classes (BvSB).",
)
def margin(ctx: AcquisitionContext, budget: int, **params: Any) -> Selection:
    """Best-versus-second-best: select the lowest p_(1) - p_(2); score = -(p_(1) - p_(2)) [N]."""
    _no_params("margin", params)
    z = _logits(ctx)
    if z.shape[-1] < 2:
        raise ValueError("margin needs at least 2 classes")
    first, second = top2_rows(z)
    max_prob = 1.0 / (z - first[:, None]).exp().sum(dim=-1)  # p_(1) = 1 / Σ exp(z - z_(1))
    gap = max_prob * (1.0 - (second - first).exp())  # p_(1) - p_(2)
    return top_by_score(-gap, _check_budget(budget), {"margin": gap, "max_prob": max_prob})


@register_strategy(
    "least_confidence",
    needs_features=False,
    description="Lowest top-class probability.",
)
def least_confidence(ctx: AcquisitionContext, budget: int, **params: Any) -> Selection:
    """Lowest top-class probability: score = 1 - max_k p_k [N]."""
    _no_params("least_confidence", params)
    z = _logits(ctx)
    max_prob = 1.0 / (z - z.amax(dim=-1, keepdim=True)).exp().sum(dim=-1)
    return top_by_score(1.0 - max_prob, _check_budget(budget), {"max_prob": max_prob})
