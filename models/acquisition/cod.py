"""COD: cyclic output discrepancy between this cycle's and the previous cycle's model (§4).

    D(x) = ||f(x; w_c) - f(x; w_{c-1})||₂,   f = softmax (default) or logits,   highest first.

The TOD code ranks by ½Σd², a monotone transform of the same norm, so selections are identical.

First cycle (ctx.previous is None), ``first_cycle``:
- "random_ref_lowest" (default, code-faithful): the reference code compares against a separately,
  randomly initialised network, whose softmax is nearly uniform, and keeps the LOWEST discrepancy.
  Here the reference is exactly that limit, uniform 1/C (zero logits in logit space), so the rule
  picks the predictions closest to uniform: an uncertainty rule. Score = -D, higher still better.
- "init_snapshot_highest" (paper, literal): needs the outputs of the snapshot taken before cycle 1
  as ctx.previous; without them it is an error.
- "random": uniform random items drawn with ctx.generator.

Reference: Huang et al., "Semi-Supervised Active Learning with Temporal Output Discrepancy",
ICCV 2021 (https://arxiv.org/abs/2107.14153).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from models.acquisition.base import AcquisitionContext, Selection, register_strategy, top_by_score
from models.acquisition.numerics import check_budget, check_choice, upcast

CodSpace = Literal["softmax", "logits"]
FirstCycle = Literal["random_ref_lowest", "init_snapshot_highest", "random"]


def cod_outputs(logits: Tensor, space: CodSpace) -> Tensor:
    """f(x): softmax(z) or z itself, in float32 or wider. [N, C] -> [N, C]."""
    z = upcast(logits)
    return torch.softmax(z, dim=1) if space == "softmax" else z


def output_distance(current: Tensor, previous: Tensor) -> Tensor:
    """||f_c - f_{c-1}||₂ per row. [N, C] x [N, C] -> [N].

    [0.7, 0.2, 0.1] vs [0.4, 0.4, 0.2] -> 0.374166.
    """
    if current.shape != previous.shape:
        raise ValueError(f"previous outputs {tuple(previous.shape)} do not match {tuple(current.shape)}")
    return (current - previous.to(current)).norm(dim=1)


def random_reference(outputs: Tensor, space: CodSpace) -> Tensor:
    """The output of a randomly initialised network in the limit: uniform softmax / zero logits."""
    if space == "softmax":
        return torch.full_like(outputs, 1.0 / outputs.shape[1])
    return torch.zeros_like(outputs)


@register_strategy("cod", needs_previous=True, needs_features=False)
def cod(
    ctx: AcquisitionContext,
    budget: int,
    space: CodSpace = "softmax",
    first_cycle: FirstCycle = "random_ref_lowest",
) -> Selection:
    """Highest output change since the previous cycle; first cycle per ``first_cycle``."""
    check_choice("COD space", space, CodSpace)
    check_choice("COD first_cycle", first_cycle, FirstCycle)
    k = check_budget(budget, len(ctx.unlabeled))
    f = cod_outputs(ctx.unlabeled.logits, space)
    if ctx.previous is not None:
        d = output_distance(f, cod_outputs(ctx.previous.logits, space))
        return top_by_score(d, k, {"distance": d})
    if first_cycle == "init_snapshot_highest":
        raise ValueError(
            "cod first_cycle='init_snapshot_highest' needs ctx.previous: the outputs of the model "
            "snapshotted before cycle 1; use 'random_ref_lowest' or 'random' without one"
        )
    if first_cycle == "random":
        draws = torch.rand(len(f), generator=ctx.generator, dtype=torch.float64).to(f.device)
        return top_by_score(draws, k, {"priority": draws})
    d = output_distance(f, random_reference(f, space))
    return top_by_score(-d, k, {"distance": d})
