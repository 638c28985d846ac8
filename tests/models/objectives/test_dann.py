"""DANN objective: gradient reversal, the discriminator as an extra parameter set, the loss."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from models.objectives import Batch, build_objective
from models.objectives.dann import DomainDiscriminator, domain_adversarial_loss, reverse_gradient
from models.train import trainable_parameters
from tests.models.objectives.helpers import TinyNet, small_batch


def test_reverse_gradient_is_identity_forward_and_negates_backward() -> None:
    x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = reverse_gradient(x, coeff=0.5)
    assert torch.equal(y, x)
    (g,) = torch.autograd.grad((y * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum(), [x])
    assert g.tolist() == [-0.5, -1.0, -1.5]


def test_reversal_flips_the_discriminator_loss_gradient_at_the_features() -> None:
    torch.manual_seed(0)
    disc = DomainDiscriminator(4, hidden=8).double()
    h_s = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    h_t = torch.randn(7, 4, dtype=torch.float64, requires_grad=True)
    loss, _ = domain_adversarial_loss(disc, h_s, h_t)
    grads = torch.autograd.grad(loss, [h_s, h_t, *disc.parameters()])

    logits = disc(torch.cat([h_s, h_t])).squeeze(-1)
    plain = 0.5 * (
        F.binary_cross_entropy_with_logits(logits[:5], torch.ones(5, dtype=torch.float64))
        + F.binary_cross_entropy_with_logits(logits[5:], torch.zeros(7, dtype=torch.float64))
    )
    plain_grads = torch.autograd.grad(plain, [h_s, h_t, *disc.parameters()])
    assert float(loss.detach()) == pytest.approx(float(plain.detach()))
    torch.testing.assert_close(grads[0], -plain_grads[0])
    torch.testing.assert_close(grads[1], -plain_grads[1])
    for g, p in zip(grads[2:], plain_grads[2:], strict=True):  # the discriminator itself is not reversed
        torch.testing.assert_close(g, p)


def test_untrained_discriminator_loss_is_near_log_two() -> None:
    torch.manual_seed(0)
    disc = DomainDiscriminator(4, hidden=8)
    with torch.no_grad():
        disc[-1].weight.zero_()
        disc[-1].bias.zero_()
    loss, _ = domain_adversarial_loss(disc, torch.randn(6, 4), torch.randn(6, 4))
    assert float(loss.detach()) == pytest.approx(math.log(2))


def test_discriminator_is_built_at_construction_and_optimized() -> None:
    model = TinyNet()
    objective = build_objective("dann", feature_dim=model.feature_dim, hidden=8)
    disc_ids = {id(p) for p in objective.discriminator.parameters()}
    assert disc_ids and disc_ids <= {id(p) for p in trainable_parameters(model, objective)}


def test_terms_use_source_and_all_target_features() -> None:
    model = TinyNet().double()
    objective = build_objective("dann", feature_dim=4, hidden=8, trade_off=0.3).double()
    batch = small_batch()
    terms = objective.terms(model, batch)
    assert float(terms.alignment.detach()) == pytest.approx(0.3 * float(terms.alignment_unweighted.detach()))
    assert 0.0 <= terms.logs["domain_accuracy"] <= 1.0
    objective.eval()  # fixed BatchNorm statistics so the two evaluations agree
    terms = objective.terms(model, batch)
    h_t = torch.cat([model(batch.target_labeled[0])[1], model(batch.target_unlabeled)[1]])
    expected, _ = domain_adversarial_loss(objective.discriminator, model(batch.source[0])[1], h_t)
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(float(expected.detach()))


def test_no_alignment_without_both_domains() -> None:
    model = TinyNet().double()
    objective = build_objective("dann", feature_dim=4, hidden=8).double()
    batch = small_batch()
    assert objective.terms(model, Batch(source=batch.source)).alignment is None
    target_only = Batch(target_labeled=batch.target_labeled, target_unlabeled=batch.target_unlabeled)
    assert objective.terms(model, target_only).alignment is None


def test_feature_dim_is_required() -> None:
    with pytest.raises(TypeError, match="feature_dim"):
        build_objective("dann")
    with pytest.raises(ValueError):
        build_objective("dann", feature_dim=0)
