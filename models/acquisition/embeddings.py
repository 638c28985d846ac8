"""Last-layer gradient embeddings as Kronecker factors (BADGE §6.1, FORGE §3.2).

For ``z = W h + b`` and the cross-entropy with the pseudo-label ŷ = argmax z, the gradient with
respect to W is ``(p - e_ŷ) ⊗ h``. Both embeddings share one stable factorisation of
``p - e_ŷ``: with M = {k != ŷ} and m = max_{k∈M} z_k,

    r_k = exp(z_k - m) (k ∈ M),   r_ŷ = -Σ_{k∈M} r_k,   p - e_ŷ = exp(m - logsumexp z) · r.

The exponent never sees the top logit, so nothing overflows and ``r`` is never 0 (max_M r = 1).
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor

from models.acquisition.kronecker import KronPoints
from models.acquisition.numerics import promote, require_classes, upcast

ForgeMode = Literal["global", "per_class_concat"]


def residual_factor(logits: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Factor ``p - e_ŷ = exp(log_scale) · r`` without dividing by anything.

    logits: [N, C], C >= 2 -> (r [N, C], log_scale [N], yhat [N] long; ties to the lower class).
    """
    require_classes(logits, 2, "a gradient embedding")
    z = upcast(logits)
    top, yhat = z.max(dim=1)  # the first maximum: ties go to the lower class
    rest = z.scatter(1, yhat[:, None], -torch.inf)
    m = rest.amax(dim=1)
    r = torch.exp(rest - m[:, None])  # 0 at ŷ
    s = r.sum(dim=1)
    r.scatter_(1, yhat[:, None], -s[:, None])
    # log Σ_k exp z_k = top + log(1 + s·exp(m - top)): no row-wise logsumexp over [N, C]
    return r, (m - top) - torch.log1p(s * torch.exp(m - top)), yhat


def forge_direction(logits: Tensor) -> Tensor:
    """u = (p - e_ŷ) / ||p - e_ŷ|| computed as r / ||r|| (depends only on the non-top logits).

    logits: [N, C] -> [N, C], unit rows, never NaN (e.g. [1000, 0, 0] -> [-0.816, 0.408, 0.408]).
    """
    r, _, _ = residual_factor(logits)
    return r / r.norm(dim=1, keepdim=True)


def badge_embedding(logits: Tensor, features: Tensor) -> KronPoints:
    """BADGE gradient embedding g = (p - e_ŷ) ⊗ h as factors.

    logits: [N, C], features: [N, D] -> KronPoints(a=[N, C], b=[N, D]); ||g|| = ||p - e_ŷ|| ||h||.
    """
    r, log_scale, _ = residual_factor(logits)
    a, h = promote(r * log_scale.exp()[:, None], features)
    return KronPoints(a, h)


def forge_embedding(
    logits: Tensor, features: Tensor, *, mode: ForgeMode = "global", include_bias: bool = False
) -> KronPoints:
    """FORGE φ (Def. 5, last layer) as factors; ||φ|| = √C ||h|| in both modes.

    global:            φ = √C · u ⊗ h with u = (p - e_ŷ)/||p - e_ŷ||.
    per_class_concat:  φ = s ⊗ h with s_k = -1 at ŷ and +1 elsewhere (each class as a binary head).
    include_bias:      h is replaced by [h; 1].
    logits: [N, C], features: [N, D] -> KronPoints(a=[N, C], b=[N, D or D+1]).
    """
    r, _, yhat = residual_factor(logits)
    r, h = promote(r, features)
    if include_bias:
        h = torch.cat([h, h.new_ones(h.shape[0], 1)], dim=1)
    if mode == "global":
        a = math.sqrt(r.shape[1]) * r / r.norm(dim=1, keepdim=True)
    elif mode == "per_class_concat":
        a = 1.0 - 2.0 * torch.nn.functional.one_hot(yhat, r.shape[1]).to(r.dtype)
    else:
        raise ValueError(f"unknown FORGE mode {mode!r}; use 'global' or 'per_class_concat'")
    return KronPoints(a, h)
