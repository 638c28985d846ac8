"""The GH / GH++ step: weights from the shared parameters θ_s only (ALGORITHMS.md §5.1-5.4).

Every expected value is computed here, not by the code under test: the two losses are written out
(DANN's L_d without the reversal layer, whose effect on θ_s is a sign flip, §5.1-4; CE on the
source), their gradients come from autograd over an explicitly listed θ_s (the network's four
tensors) and the discriminator, and the weights from the §5.2-5.4 formulas below.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from models.objectives import Batch, build_objective
from models.train import trainable_parameters
from tests.models.objectives.helpers import TinyNet, small_batch

LAMBDA1 = 0.7  # DANN trade-off: the step's gradient is λ1·w1·g1 + w2·g2 (§5.1-5)
XS = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5], [0.5, -1.0]], dtype=torch.float64)
YS = torch.tensor([0, 1, 1, 0])
XT = torch.tensor([[2.0, 1.0], [1.5, 2.0], [-0.5, 2.5], [2.5, -0.5]], dtype=torch.float64)


def fixed_net() -> TinyNet:
    """2 -> 2 (tanh) -> 2 with hand-set weights."""
    model = TinyNet(feature_dim=2, num_classes=2).double()
    with torch.no_grad():
        model.body.weight.copy_(torch.tensor([[1.0, -0.5], [0.5, 1.0]]))
        model.body.bias.copy_(torch.tensor([0.1, -0.2]))
        model.classifier.weight.copy_(torch.tensor([[1.5, -1.0], [-0.5, 2.0]]))
        model.classifier.bias.copy_(torch.tensor([0.0, 0.3]))
    return model


def dann(method: str, feature_dim: int, hidden: int, **kw) -> torch.nn.Module:
    torch.manual_seed(0)  # the discriminator's initial weights
    objective = build_objective(method, align="dann", feature_dim=feature_dim, hidden=hidden, **kw)
    return objective.double()


def hand_weights(method: str, k: float, d: float, n1: float, n2: float) -> tuple[float, float]:
    """§5.2 GH Eq. 42, §5.3 GH++ as coded, §5.4 exact rotation; (1, 1) without conflict."""
    if d >= 0:
        return 1.0, 1.0
    if method == "gh":
        return 1 - d / n1**2, 1 - d / n2**2
    theta = math.acos(max(-1.0, min(1.0, d / (n1 * n2))))
    phi1, phi2 = k * (theta - math.pi / 2), (1 - k) * (theta - math.pi / 2)
    if method == "ghpp":
        return 1 + 2 * math.sin(phi1 / 2), 1 - 2 * math.sin(phi2 / 2)
    w1 = (math.sin(theta - phi1) + n2 / n1 * math.sin(phi2)) / math.sin(theta)
    w2 = (math.sin(theta - phi2) + n1 / n2 * math.sin(phi1)) / math.sin(theta)
    return w1, w2


def geometry(g1: list[Tensor], g2: list[Tensor]) -> tuple[float, float, float]:
    a, b = torch.cat([g.flatten() for g in g1]), torch.cat([g.flatten() for g in g2])
    return float(a @ b), float(a.norm()), float(b.norm())


def grads(loss: Tensor, params: list[Tensor]) -> list[Tensor]:
    return list(
        torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True, materialize_grads=True)
    )


def fixed_net_gradients(model: TinyNet, discriminator: torch.nn.Module) -> dict[str, list[Tensor]]:
    """g1 and g2 on θ_s, and ∇L_d on the discriminator, for the fixed net and inputs."""
    shared = [model.body.weight, model.body.bias, model.classifier.weight, model.classifier.bias]
    logits, h_s = model(XS)
    d = discriminator(torch.cat([h_s, model(XT)[1]])).squeeze(-1)  # one batch: BatchNorm sees both
    l_d = 0.5 * (F.softplus(-d[:4]).mean() + F.softplus(d[4:]).mean())  # BCE(·, 1) and BCE(·, 0)
    ce = (torch.logsumexp(logits, 1) - logits.gather(1, YS[:, None]).squeeze(1)).mean()
    return {
        "g1": [-g for g in grads(l_d, shared)],  # reversed on its way to θ_s
        "g2": grads(ce, shared),
        "disc": grads(l_d, list(discriminator.parameters())),
    }


def fixed_net_step(method: str, **kw) -> tuple[TinyNet, torch.nn.Module, dict[str, float]]:
    model, objective = fixed_net(), dann(method, 2, 3, trade_off=LAMBDA1, **kw)
    terms = objective.terms(model, Batch(source=(XS, YS), target_unlabeled=XT))
    return model, objective, objective.backward(terms, trainable_parameters(model, objective))


CASES = [("gh", 0.5, "code"), ("ghpp", 0.5, "code"), ("ghpp", 0.3, "code"), ("ghpp", 0.5, "exact_rotation")]


@pytest.mark.parametrize(("method", "k", "mode"), CASES)
def test_fixed_net_weights_and_gradients_from_shared_parameters(method: str, k: float, mode: str) -> None:
    extra = {} if method == "gh" else {"k": k, "ghpp_mode": mode}
    model, objective, logs = fixed_net_step(method, **extra)
    ref = fixed_net_gradients(fixed_net(), dann(method, 2, 3).inner.discriminator)
    d, n1, n2 = geometry(ref["g1"], ref["g2"])
    assert d < 0, "the fixed net must have conflicting gradients"
    w1, w2 = hand_weights(mode if mode == "exact_rotation" else method, k, d, n1, n2)
    assert logs["w1"] == pytest.approx(w1, abs=1e-9) and logs["w2"] == pytest.approx(w2, abs=1e-9)
    assert logs["cos"] == pytest.approx(d / (n1 * n2), abs=1e-9) and logs["conflict"] == 1.0
    shared = [model.body.weight, model.body.bias, model.classifier.weight, model.classifier.bias]
    for p, a, b in zip(shared, ref["g1"], ref["g2"], strict=True):
        torch.testing.assert_close(p.grad, LAMBDA1 * w1 * a + w2 * b, rtol=1e-9, atol=1e-12)
    # Only L1 reaches the discriminator; it gets the λ1·w1·L1 gradient (§5.1 "faster, equivalent").
    for p, a in zip(objective.inner.discriminator.parameters(), ref["disc"], strict=True):
        torch.testing.assert_close(p.grad, LAMBDA1 * w1 * a, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", ["gh", "ghpp"])
def test_discriminator_gradient_stays_out_of_the_weights(method: str) -> None:
    ref = fixed_net_gradients(fixed_net(), dann(method, 2, 3).inner.discriminator)
    zeros = [torch.zeros_like(g) for g in ref["disc"]]
    old = hand_weights(method, 0.5, *geometry(ref["g1"] + ref["disc"], ref["g2"] + zeros))
    new = hand_weights(method, 0.5, *geometry(ref["g1"], ref["g2"]))
    _, _, logs = fixed_net_step(method)
    assert abs(logs["w1"] - old[0]) > 0.1  # the all-parameter weights (the old behaviour)
    assert logs["w1"] == pytest.approx(new[0], abs=1e-9)
    # Freezing the discriminator removes it from the list passed in; the weights must not move.
    model, objective = fixed_net(), dann(method, 2, 3, trade_off=LAMBDA1)
    objective.inner.discriminator.requires_grad_(False)
    terms = objective.terms(model, Batch(source=(XS, YS), target_unlabeled=XT))
    frozen = objective.backward(terms, trainable_parameters(model, objective))
    assert (frozen["w1"], frozen["w2"]) == pytest.approx((logs["w1"], logs["w2"]), abs=1e-12)


def _explicit_step(objective: torch.nn.Module, model: TinyNet, method: str, k: float) -> dict[str, float]:
    """p.grad from objective.backward == λ1·w1·g1 + w2·g2, with (w1, w2) from model parameters only."""
    shared, own = list(model.parameters()), list(objective.parameters())
    params = trainable_parameters(model, objective)
    terms = objective.terms(model, small_batch(torch.float64))
    g1, g2 = grads(terms.alignment_unweighted, shared + own), grads(terms.classification, shared + own)
    w1, w2 = hand_weights(method, k, *geometry(g1[: len(shared)], g2[: len(shared)]))
    assert (w1, w2) != (1.0, 1.0), "the example should have conflicting gradients"
    logs = objective.backward(terms, params)
    assert logs["conflict"] == 1.0 and logs["w1"] == pytest.approx(w1) and logs["w2"] == pytest.approx(w2)
    lam1 = objective.inner.alignment_weight
    for p, a, b in zip(shared + own, g1, g2, strict=True):
        torch.testing.assert_close(p.grad, lam1 * w1 * a + w2 * b, rtol=1e-12, atol=1e-12)
    assert objective.steps == 1 and objective.conflicts == 1 and objective.conflict_rate == 1.0
    return logs


# Review S1 (code-review-2026-12.md), measured on this net: θ_s gives GH w1 1.76 (all parameters:
# 1.33) and GH++ (1.192, 0.808) (all parameters: (1.124, 0.876)).
@pytest.mark.parametrize(("method", "weights"), [("gh", (1.762, 1.184)), ("ghpp", (1.192, 0.808))])
def test_review_test_net_dann(method: str, weights: tuple[float, float]) -> None:
    objective = dann(method, 4, 8, trade_off=0.7)
    logs = _explicit_step(objective, TinyNet(seed=18).double(), method, 0.5)
    assert (logs["w1"], logs["w2"]) == pytest.approx(weights, abs=1e-3)
    assert all(p.grad is not None for p in objective.inner.discriminator.parameters())


def test_harmonized_grad_equals_weighted_sum_eada() -> None:
    objective = build_objective("ghpp", align="eada", gamma=0.5, k=0.3).double()
    _explicit_step(objective, TinyNet(seed=14).double(), "ghpp", 0.3)
