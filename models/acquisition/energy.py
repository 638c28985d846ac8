"""EADA: free energy and MvSM, alone and as the two-stage selection (ALGORITHMS.md §1).

Energy convention E(x, k) = -z_k (τ = 1), so with logits z:

    F(x) = -logsumexp(z)        higher = more target-like (low-magnitude logits)
    U(x) = z_(2) - z_(1) <= 0   MvSM, higher (closer to 0) = more uncertain

Reference: Xie et al., "Active Learning for Domain Adaptation: An Energy-Based Approach",
AAAI 2022 (https://arxiv.org/abs/2112.01406).
"""

from __future__ import annotations

import math
from fractions import Fraction

import torch
from torch import Tensor

from models.acquisition.base import (
    AcquisitionContext,
    Selection,
    register_strategy,
    select_topk,
    top_by_score,
    top_set,
)
from models.acquisition.numerics import check_budget, require_classes, top2_rows, upcast
from models.acquisition.params import EadaParams


def free_energy(logits: Tensor) -> Tensor:
    """F = -logsumexp(z). logits: [N, C] -> [N]. [2, 1, 0] -> -2.407606."""
    return -torch.logsumexp(upcast(logits), dim=1)


def mvsm(logits: Tensor) -> Tensor:
    """U = z_(2) - z_(1) (second-largest minus largest logit). logits: [N, C >= 2] -> [N] <= 0."""
    require_classes(logits, 2, "MvSM")
    first, second = top2_rows(upcast(logits))
    return second - first


def eada_candidate_count(budget: int, n_pool: int, n_total: int, alpha1: float) -> int:
    """n1 = min(|T_u|, max(b, ceil(α1 · N_total))), with α1 read as the decimal it was written as.

    Exact: Fraction(str(0.07)) is 7/100, so ceil(0.07 · 100) is 7, not the float product's 8 (§0.3-3).
    """
    if not 0 < alpha1 <= 1:
        raise ValueError(f"alpha1 must be in (0, 1], got {alpha1}")
    n1 = math.ceil(Fraction(str(alpha1)) * int(n_total))
    return min(int(n_pool), max(int(budget), n1))


def eada_select(
    logits: Tensor,
    budget: int,
    n_total: int,
    alpha1: float = 0.5,
    *,
    scores: tuple[Tensor, Tensor] | None = None,
) -> Tensor:
    """Two-stage EADA (§1.3): top-n1 by F, then top-b of those by U; ties to the lower pool index.

    logits: [N, C] -> pool indices [min(b, N)], best first. ``scores``: (F, U) when already computed.
    """
    f, u = (free_energy(logits), mvsm(logits)) if scores is None else scores
    budget = check_budget(budget, len(f))
    n1 = eada_candidate_count(budget, len(f), n_total, alpha1)
    candidates = top_set(f, n1)  # pool order, so stage-2 ties go to lower index
    return candidates[select_topk(u[candidates], budget)]


@register_strategy(
    "eada",
    needs_features=False,
    description="Two stages: the most target-like items by free energy -logsumexp(z), then the most "
    "uncertain of those by MvSM z(2) - z(1). Score = MvSM.",
    params=EadaParams,
    paper="Xie et al., Active Learning for Domain Adaptation: An Energy-Based Approach, AAAI 2022",
)
def eada(ctx: AcquisitionContext, budget: int, alpha1: float = 0.5) -> Selection:
    """EADA: score = MvSM of the candidates that passed the free-energy stage."""
    logits = ctx.unlabeled.logits
    n_total = ctx.n_total if ctx.n_total is not None else len(ctx.unlabeled)
    f, u = free_energy(logits), mvsm(logits)
    idx = eada_select(logits, budget, n_total, alpha1, scores=(f, u))
    return Selection(idx, u[idx], {"free_energy": f[idx], "mvsm": u[idx]})


@register_strategy(
    "free_energy",
    needs_features=False,
    description="Ablation of EADA: highest free energy -logsumexp(z) alone.",
    paper="Xie et al., AAAI 2022",
)
def free_energy_strategy(ctx: AcquisitionContext, budget: int) -> Selection:
    """Ablation: highest free energy only (EADA Table 3, α1/α2 = 1/100)."""
    f = free_energy(ctx.unlabeled.logits)
    return top_by_score(f, check_budget(budget, len(f)), {"free_energy": f})


@register_strategy(
    "mvsm",
    needs_features=False,
    description="Ablation of EADA: highest min-versus-second-min energy margin z(2) - z(1) alone (logit "
    "margin).",
    paper="Xie et al., AAAI 2022",
)
def mvsm_strategy(ctx: AcquisitionContext, budget: int) -> Selection:
    """Ablation: highest MvSM only (EADA Table 3, α1/α2 = 100/1)."""
    u = mvsm(ctx.unlabeled.logits)
    return top_by_score(u, check_budget(budget, len(u)), {"mvsm": u})
