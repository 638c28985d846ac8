"""DANN: ce + trade_off · domain-adversarial loss through a gradient reversal layer.

Ganin & Lempitsky (ICML 2015); the shape follows tllib ``alignment/dann.py::DomainAdversarialLoss``.
Features ``h`` (the network's second output) pass a gradient reversal layer R (identity forward,
``−coeff · grad`` backward) into a discriminator D (an MLP giving one logit, "source" = 1):

``L_d = ½ [mean_{h∈S} BCE(D(R(h)), 1) + mean_{h∈T} BCE(D(R(h)), 0)]``

T is every target sample of the step: the labeled target batch and the unlabeled target batch.
Minimising ``ce + trade_off · L_d`` trains D to tell the domains apart while the reversed gradient
trains the feature extractor to confuse it. In GH's notation L1 = L_d (§5.1-4: g1 is the gradient
after reversal, as it arrives at the shared parameters).

The discriminator is built at construction, so ``extra_parameters()`` gives it to the optimizer:
the caller passes ``feature_dim`` (the network's ``feature_dim``, D of its features) with the
user's parameters: ``build_objective("dann", feature_dim=net.feature_dim, **params)``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, register_objective
from models.objectives.common import AlignmentObjective, check_int, check_number, supervised_pass
from models.objectives.params import DANNParams


class _ReverseGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, coeff: float) -> Tensor:
        ctx.coeff = coeff
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return -ctx.coeff * grad, None


def reverse_gradient(x: Tensor, coeff: float = 1.0) -> Tensor:
    """Gradient reversal: ``R(x) = x`` forward, ``dR/dx = −coeff · I`` backward."""
    return _ReverseGrad.apply(x, coeff)


class DomainDiscriminator(nn.Sequential):
    """features [B, D] -> domain logit [B, 1]: (Linear -> BatchNorm1d -> ReLU) x 2 -> Linear (tllib)."""

    def __init__(self, feature_dim: int, hidden: int = 256) -> None:
        super().__init__(
            nn.Linear(feature_dim, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )


def domain_adversarial_loss(
    discriminator: nn.Module, source_features: Tensor, target_features: Tensor, coeff: float = 1.0
) -> tuple[Tensor, Tensor]:
    """``L_d`` above and the discriminator's accuracy; features [B_s, D] and [B_t, D].

    Both domains go through D in one batch (its BatchNorm sees both), then the two means are averaged.
    """
    features = reverse_gradient(torch.cat([source_features, target_features]), coeff)
    logits = discriminator(features).squeeze(-1)
    d_s, d_t = logits[: len(source_features)], logits[len(source_features) :]
    loss = 0.5 * (
        F.binary_cross_entropy_with_logits(d_s, torch.ones_like(d_s))
        + F.binary_cross_entropy_with_logits(d_t, torch.zeros_like(d_t))
    )
    with torch.no_grad():
        accuracy = torch.cat([d_s > 0, d_t <= 0]).float().mean()
    return loss, accuracy


class DomainAdversarial(AlignmentObjective):
    """DANN (``dann``): ce + trade_off · L_d; no alignment term without both a source and a target batch."""

    name = "dann"

    def __init__(
        self,
        feature_dim: int,
        trade_off: float = 1.0,
        hidden: int = 256,
        source_weight: float = 1.0,
        target_weight: float = 1.0,
    ) -> None:
        super().__init__(source_weight=source_weight, target_weight=target_weight)
        self.alignment_weight = check_number("trade_off", trade_off, low=0.0)
        self.discriminator = DomainDiscriminator(
            check_int("feature_dim", feature_dim, low=1), check_int("hidden", hidden, low=1)
        )

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        sup = supervised_pass(self.ce, model, batch)
        target = [] if sup.target_labeled is None else [sup.target_labeled[1]]
        if batch.target_unlabeled is not None:
            target.append(model(batch.target_unlabeled)[1])
        if sup.source is None or not target:
            return self.with_alignment(sup, None, {})
        loss, accuracy = domain_adversarial_loss(self.discriminator, sup.source[1], torch.cat(target))
        return self.with_alignment(sup, loss, {"domain_accuracy": float(accuracy)})


@register_objective(
    "dann",
    unlabeled=True,
    description="ce + trade_off · domain-adversarial loss: a discriminator on features, behind a gradient "
    "reversal layer, tells source from target (labeled and unlabeled).",
    params=DANNParams,
    paper="Ganin & Lempitsky, Unsupervised Domain Adaptation by Backpropagation, ICML 2015",
)
def build_dann(
    feature_dim: int | None = None,
    trade_off: float = 1.0,
    hidden: int = 256,
    source_weight: float = 1.0,
    target_weight: float = 1.0,
) -> DomainAdversarial:
    if feature_dim is None:
        raise TypeError("dann needs feature_dim (the network's feature_dim) to build its discriminator")
    return DomainAdversarial(
        feature_dim,
        trade_off=trade_off,
        hidden=hidden,
        source_weight=source_weight,
        target_weight=target_weight,
    )
