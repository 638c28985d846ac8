"""GH / GH++: harmonize the alignment and classification gradients every step (ALGORITHMS.md §5).

The wrapped alignment objective (dann, eada or tod, with its own parameters) gives
L1 = its unweighted alignment term and L2 = the classification term. ``backward`` computes, over
the same ordered parameter list, ``g1 = ∇L1`` and ``g2 = ∇L2`` with two ``autograd.grad`` calls
(two backward passes; missing gradients count as zeros). The weights ``(w1, w2)``, detached floats,
come from g1 and g2 restricted to the shared parameters θ_s (§5.1-1): the network's, i.e. every
parameter passed in that this objective does not own. The objective's own parameters (the DANN
discriminator) stay out of the geometry: only L1 reaches them, so they would inflate ‖g1‖. Then

``p.grad += λ1 · w1 · g1_p + w2 · g2_p``  (§5.1-3 and -5; λ1 = the alignment's trade-off)

for every parameter: the gradient of ``λ1·w1·L1 + w2·L2`` (§5.1 "faster, equivalent"), which is
also the reference code's update for parameters only one loss reaches (the discriminator gets
``λ1 · w1 · g1``). g1 = alignment, g2 = classification, as in the paper (§5.3). Each step logs
w1, w2, cos and conflict (1 if d < 0); the run's counters ``steps``/``conflicts`` give
``conflict_rate`` (plain attributes, not persisted).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, Objective, build_objective, register_objective
from models.objectives.common import AlignmentObjective, check_choice, check_number
from models.objectives.harmonize import (
    Geometry,
    gh_weights_from,
    ghpp_exact_weights_from,
    ghpp_weights_from,
    gradient_geometry,
)
from models.objectives.params import GHParams, GHPPParams

ALIGNMENTS = ("dann", "eada", "tod")
GHPP_MODES = ("code", "exact_rotation")


def loss_gradients(
    loss: Tensor | None, params: list[nn.Parameter], retain_graph: bool
) -> list[Tensor | None]:
    """``∇_p loss`` for every p: None where the loss does not reach p (or is missing / constant)."""
    if loss is None or not loss.requires_grad:
        return [None] * len(params)
    return list(torch.autograd.grad(loss, params, retain_graph=retain_graph, allow_unused=True))


def _zeros_for_missing(grads: list[Tensor | None], params: list[nn.Parameter]) -> list[Tensor]:
    """Missing gradients count as zeros (``materialize_grads`` semantics, §5.1-1)."""
    return [torch.zeros_like(p) if g is None else g for g, p in zip(grads, params, strict=True)]


def _subset(grads: list[Tensor], keep: list[bool]) -> list[Tensor]:
    return [g for g, k in zip(grads, keep, strict=True) if k]


class Harmonized(Objective):
    """``gh`` (method="gh") or ``ghpp`` (method="ghpp") around an alignment objective."""

    def __init__(
        self, method: str, align: str = "dann", k: float = 0.5, ghpp_mode: str = "code", **align_params: Any
    ) -> None:
        super().__init__()
        self.method = check_choice("method", method, ("gh", "ghpp"))
        self.name = self.method
        self.align = check_choice("align", align, ALIGNMENTS)
        self.k = check_number("k", k, low=0.0, high=1.0)
        self.ghpp_mode = check_choice("ghpp_mode", ghpp_mode, GHPP_MODES)
        params = {key: value for key, value in align_params.items() if value is not None}
        inner = build_objective(align, **params)
        if not isinstance(inner, AlignmentObjective):
            raise TypeError(f"objective {align!r} has no alignment term to harmonize")
        self.inner = inner
        self.steps = 0
        self.conflicts = 0

    @property
    def conflict_rate(self) -> float:
        """Fraction of harmonized steps whose gradients conflicted (g1·g2 < 0); 0 before any."""
        return self.conflicts / self.steps if self.steps else 0.0

    def weights(self, geo: Geometry) -> tuple[float, float]:
        """(w1, w2): GH Eq. 42 (§5.2), GH++ code (§5.3) or GH++ exact rotation (§5.4)."""
        if self.method == "gh":
            return gh_weights_from(geo)
        if self.ghpp_mode == "exact_rotation":
            return ghpp_exact_weights_from(geo, self.k)
        return ghpp_weights_from(geo, self.k)

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        return self.inner.terms(model, batch)

    def shared_mask(self, params: list[nn.Parameter]) -> list[bool]:
        """True for the shared θ_s (§5.1): the parameters in ``params`` this objective does not own."""
        own = {id(p) for p in self.parameters()}
        return [id(p) not in own for p in params]

    def backward(self, terms: LossTerms, params: list[nn.Parameter]) -> dict[str, float]:
        params = [p for p in params if p.requires_grad]
        if terms.alignment_unweighted is None:
            return super().backward(terms, params)
        g1 = loss_gradients(terms.alignment_unweighted, params, retain_graph=True)
        g2 = loss_gradients(terms.classification, params, retain_graph=False)
        reached = [a is not None or b is not None for a, b in zip(g1, g2, strict=True)]
        g1, g2 = _zeros_for_missing(g1, params), _zeros_for_missing(g2, params)
        shared = self.shared_mask(params)
        geo = gradient_geometry(_subset(g1, shared), _subset(g2, shared))
        w1, w2 = self.weights(geo)
        _set_grads(params, g1, g2, reached, self.inner.alignment_weight * w1, w2)
        self.steps += 1
        self.conflicts += int(geo.conflict)
        return {"w1": w1, "w2": w2, "cos": geo.cos, "conflict": float(geo.conflict)}

    def after_step(self, model: nn.Module) -> None:
        self.inner.after_step(model)


@torch.no_grad()
def _set_grads(
    params: list[nn.Parameter], g1: list[Tensor], g2: list[Tensor], reached: list[bool], a1: float, a2: float
) -> None:
    """``p.grad += a1 · g1_p + a2 · g2_p`` (accumulates like ``.backward()``).

    A parameter neither loss reaches keeps ``grad = None``, as after a plain ``.backward()``, so
    the optimizer skips it (no momentum or weight-decay step on a zero gradient).
    """
    for p, u, v, hit in zip(params, g1, g2, reached, strict=True):
        if not hit:
            continue
        step = u.mul(a1).add_(v, alpha=a2)
        if p.grad is None:
            p.grad = step
        else:
            p.grad.add_(step)


@register_objective(
    "gh",
    unlabeled=True,
    description="An alignment objective (dann, eada or tod) whose alignment and classification gradients "
    "are harmonized each step: conflicting (obtuse) pairs are projected to an acute angle "
    "(§5.2).",
    params=GHParams,
    paper="Huang, Song, Zhang, Gradient Harmonization in Unsupervised Domain Adaptation, TPAMI 2024",
)
def build_gh(align: str = "dann", **align_params: Any) -> Harmonized:
    """GH around ``align``; the other keyword arguments go to the alignment objective."""
    return Harmonized("gh", align=align, **align_params)


@register_objective(
    "ghpp",
    unlabeled=True,
    description="Like gh, but conflicting gradient pairs are re-weighted toward a right angle (GH++, §5.3).",
    params=GHPPParams,
    paper="Huang, Song, Zhang, Gradient Harmonization in Unsupervised Domain Adaptation, TPAMI 2024",
)
def build_ghpp(
    align: str = "dann", k: float = 0.5, ghpp_mode: str = "code", **align_params: Any
) -> Harmonized:
    """GH++ around ``align`` with rotation split ``k`` (§5.3); other arguments go to the alignment."""
    return Harmonized("ghpp", align=align, k=k, ghpp_mode=ghpp_mode, **align_params)
