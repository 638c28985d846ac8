"""Gradient-norm acquisition: expected-gradnorm and entropy-gradnorm (ALGORITHMS.md §2).

Score = ||∇_θ L(x)|| with L_exp = Σ_i P(y_i|x) CE(z, y_i) and L_ent = H(softmax(z)). Since
CE(z, i) = -log p_i, L_exp = H identically when the weights P are *not* detached, so both names
are one function (§2.2). With z = W h + b and g = ∂H/∂z = -p ⊙ (log p + H·1):

    last_layer, layer_sum:  ||g|| (||h|| + 1)          global: ||g|| sqrt(||h||² + 1)

(without a bias only ||g|| ||h||). ``scope="full"`` differentiates every parameter (persample.py).
The score is 0 at a uniform prediction: it peaks at intermediate confidence (§2.3).

Reference: Wang et al., "Boosting Active Learning via Improving Test Performance", AAAI 2022
(https://arxiv.org/abs/2112.05683).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from models.acquisition.base import AcquisitionContext, Selection, register_strategy, top_by_score
from models.acquisition.numerics import check_budget, check_choice, entropy_from_logits, promote
from models.acquisition.params import GradNormParams
from models.acquisition.persample import NormMode, per_sample_gradnorm

Scope = Literal["full", "last_layer"]


def entropy_logit_grad(logits: Tensor) -> Tensor:
    """g = ∂H/∂z = -p ⊙ (log p + H). logits: [N, C] -> [N, C]; rows sum to 0.

    [ln 3, 0] -> [-0.205990, 0.205990]; [0, 0] -> [0, 0].
    """
    logp = torch.log_softmax(logits, dim=1)
    p = logp.exp()
    h = -(p * logp).sum(dim=1, keepdim=True)
    return -p * (logp + h)


def expected_loss_logit_grad(logits: Tensor, *, detach_weights: bool) -> Tensor:
    """Autograd gradient of Σ_i P(y_i|x) CE(z, y_i) with respect to z. logits: [N, C] -> [N, C].

    detach_weights=False equals :func:`entropy_logit_grad`. detach_weights=True is the pitfall of
    §2.2: Σ_i p_i (p - e_i) = p - p = 0, so every score would be 0 (up to float rounding).
    """
    z = logits.detach().clone().requires_grad_(True)
    logp = torch.log_softmax(z, dim=1)
    weights = logp.exp().detach() if detach_weights else logp.exp()
    (g,) = torch.autograd.grad((weights * -logp).sum(), z)
    return g


def last_layer_gradnorm(
    logits: Tensor, features: Tensor, *, norm_mode: NormMode = "layer_sum", bias: bool = True
) -> Tensor:
    """Closed-form ||∇_{W,b} H|| of the last linear layer. logits [N, C], features [N, D] -> [N].

    ||∇_W H|| = ||g|| ||h||, ||∇_b H|| = ||g||; layer_sum adds them, global takes sqrt of the squares.
    """
    check_choice("norm_mode", norm_mode, NormMode)
    z, h = promote(logits, features)
    g_norm = entropy_logit_grad(z).norm(dim=1)
    w_norm = g_norm * h.norm(dim=1)
    if not bias:
        return w_norm
    if norm_mode == "layer_sum":
        return w_norm + g_norm
    return torch.sqrt(w_norm.pow(2) + g_norm.pow(2))


def gradnorm_scores(ctx: AcquisitionContext, scope: Scope, norm_mode: NormMode, chunk_size: int) -> Tensor:
    """[N] scores for the unlabeled pool under the requested scope."""
    if scope == "last_layer":
        classifier = getattr(ctx.model, "classifier", None) if ctx.model is not None else None
        bias = classifier is None or getattr(classifier, "bias", None) is not None
        out = ctx.unlabeled
        return last_layer_gradnorm(out.logits, out.features, norm_mode=norm_mode, bias=bias)
    if scope != "full":
        raise ValueError(f"unknown scope {scope!r}; use 'full' or 'last_layer'")
    if ctx.model is None or ctx.inputs is None:
        raise ValueError("scope='full' needs ctx.model and ctx.inputs; use scope='last_layer' without them")
    if len(ctx.inputs) != len(ctx.unlabeled):
        raise ValueError(f"ctx.inputs has {len(ctx.inputs)} items but the pool has {len(ctx.unlabeled)}")
    scores = per_sample_gradnorm(
        ctx.model, ctx.inputs, norm_mode=norm_mode, chunk_size=chunk_size, progress=ctx.progress
    )
    return scores.to(ctx.unlabeled.logits.device)


@register_strategy(
    "entropy_gradnorm",
    needs_model=True,
    description="Largest gradient norm of the entropy H(softmax(z)); the same function as expected_gradnorm.",
    params=GradNormParams,
    paper="Wang et al., AAAI 2022",
)
@register_strategy(
    "expected_gradnorm",
    needs_model=True,
    description="Largest gradient norm of the expected loss sum_i p_i CE(z, i) (= entropy) over the "
    "parameters.",
    params=GradNormParams,
    paper="Wang et al., Boosting Active Learning via Improving Test Performance, AAAI 2022",
)
def gradnorm(
    ctx: AcquisitionContext,
    budget: int,
    scope: Scope = "full",
    norm_mode: NormMode = "layer_sum",
    chunk_size: int = 32,
) -> Selection:
    """Highest ||∇_θ H(softmax(f(x)))|| first; components: the entropy H of each pick."""
    k = check_budget(budget, len(ctx.unlabeled))
    scores = gradnorm_scores(ctx, scope, norm_mode, chunk_size)
    return top_by_score(scores, k, {"entropy": entropy_from_logits(ctx.unlabeled.logits).to(scores.dtype)})
