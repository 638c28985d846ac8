"""``auto``: a bandit over strategies, after "active learning by learning" (ALBL, Hsu & Lin 2015).

Each round EXP3 (Auer et al. 2002) draws one arm (a strategy) and that strategy's batch is the
round's selection. Every arm also proposes its batch, so each picked item i has a known mixture
probability q_i = Σ_a p(a)·[i ∈ batch_a] of being bought. The reward of a round's arm is ALBL's
importance-weighted accuracy (IW-ACC) of the next round's network on every item the auto rounds
bought so far, each weighted by 1/q_i: an estimate of its accuracy on the pool from the labels
bought alone (the loop measures it, :func:`iw_accuracy`, and hands the rounds' history in
``ctx.bandit``). EXP3, with K arms and exploration γ:

    p(a) = (1 − γ)·w_a / Σ_b w_b + γ/K,   after a round of arm a with reward r ∈ [0, 1]:
    w_a ← w_a · exp(γ·(r / p(a)) / K)        (the importance-weighted reward estimate)

The draw and the arms' own randomness come from the round's seeded generator, so a round is
deterministic for a seed. The selection's ``record`` says which arm it used and why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from models.acquisition.base import AcquisitionContext, Selection, get_strategy, register_strategy
from models.acquisition.params import AutoParams

DEFAULT_ARMS = ("random", "entropy", "badge", "coreset")


@dataclass(frozen=True)
class BanditStep:
    """One earlier auto round: the arm it drew, that arm's probability, and its reward (None
    until the next round measured it)."""

    arm: str
    probability: float
    reward: float | None = None


def exp3_probabilities(arms: Sequence[str], history: Sequence[BanditStep], gamma: float) -> list[float]:
    """p(a) per arm after the rewarded steps of ``history`` (steps of arms not in ``arms`` and
    unrewarded steps leave the weights alone)."""
    k = len(arms)
    log_w = dict.fromkeys(arms, 0.0)
    for step in history:
        if step.reward is not None and step.arm in log_w:
            log_w[step.arm] += gamma * (step.reward / step.probability) / k
    top = max(log_w.values())
    w = [math.exp(log_w[a] - top) for a in arms]
    total = sum(w)
    return [(1 - gamma) * x / total + gamma / k for x in w]


def iw_accuracy(correct: Tensor, probability: Tensor) -> float:
    """ALBL's IW-ACC: Σ_i [correct_i]/q_i / Σ_i 1/q_i over the items bought, q_i > 0."""
    if correct.shape != probability.shape or correct.numel() == 0:
        raise ValueError("iw_accuracy needs one probability per item, and at least one item")
    if bool((probability <= 0).any()):
        raise ValueError("mixture probabilities must be > 0")
    w = 1.0 / probability.double()
    return float((w * correct.double()).sum() / w.sum())


def rewarded(history: Sequence[BanditStep], correct: Tensor, probability: Tensor) -> list[BanditStep]:
    """``history`` with its last step rewarded by the IW-ACC of the current network (``correct``:
    its predictions on the items auto rounds bought, ``probability``: their q_i). Unchanged when
    there is no step or no item yet."""
    out = list(history)
    if out and correct.numel():
        out[-1] = replace(out[-1], reward=iw_accuracy(correct, probability))
    return out


def _arm_generator(ctx: AcquisitionContext) -> torch.Generator:
    return torch.Generator().manual_seed(int(torch.randint(0, 2**62, (1,), generator=ctx.generator)))


@register_strategy(
    "auto",
    adaptive=True,
    description="A bandit over strategies (EXP3): each round draws one arm and buys its batch; an arm's "
    "reward is the next checkpoint's importance-weighted accuracy on the labels auto rounds "
    "bought. The round's `choice` says which arm it used and why.",
    params=AutoParams,
    paper="Hsu & Lin, Active Learning by Learning, AAAI 2015",
)
def auto(
    ctx: AcquisitionContext, budget: int, arms: Sequence[str] = DEFAULT_ARMS, gamma: float = 0.2
) -> Selection:
    arms = list(arms)
    if len(arms) < 2 or len(set(arms)) != len(arms) or "auto" in arms:
        raise ValueError("auto needs at least two distinct arms, auto itself not among them")
    for arm in arms:
        info = get_strategy(arm)
        if info.needs_model or info.needs_previous:
            raise ValueError(f"arm {arm!r} needs the network or the previous checkpoint; auto cannot run it")
    history = list(ctx.bandit or [])
    p = exp3_probabilities(arms, history, gamma)
    drawn = int(torch.multinomial(torch.tensor(p, dtype=torch.float64), 1, generator=ctx.generator))
    batches = {
        arm: get_strategy(arm).fn(replace(ctx, generator=_arm_generator(ctx), progress=None), budget)
        for arm in arms
    }
    chosen = batches[arms[drawn]]
    n = len(ctx.unlabeled)
    mixture = torch.zeros(n, dtype=torch.float64)
    for arm, prob in zip(arms, p, strict=True):
        mixture[batches[arm].indices] += prob
    q = mixture[chosen.indices]
    rewards = [s.reward for s in history]
    why = (
        f"EXP3 (gamma {gamma}) over {len(history)} earlier auto rounds (rewards "
        f"{[None if r is None else round(r, 4) for r in rewards]}): "
        + ", ".join(f"p({a})={x:.3f}" for a, x in zip(arms, p, strict=True))
        + f"; drew {arms[drawn]}"
    )
    record = {
        "arm": arms[drawn],
        "probability": p[drawn],
        "probabilities": dict(zip(arms, p, strict=True)),
        "why": why,
    }
    parts = {**chosen.components, "mixture_probability": q.float()}
    return Selection(chosen.indices, chosen.scores, parts, record=record)
