"""EADA's training against the reference loop, written out here from the paper and the code.

ALGORITHMS.md §1.4 and EADA's ``main.py``, per step (full batches here):

    Δ'_t = mean over the source batch of F, F = -logsumexp(z)   (the CE forward pass, detached)
    Δ_1 = Δ'_1;  Δ_t = λ_t Δ_{t-1} + (1 - λ_t) Δ'_t             (λ_t ~ U(0, 1), fresh each step)
    L = mean_S CE + mean_{T_l} CE + γ · mean_{T_u} max(0, F - Δ_t)

The reference below is plain tensor algebra on a linear model (no models.objectives code) with
plain SGD. It runs Algorithm 1 in miniature: steps before any target label (T_l = ∅, the source
NLL and L_fea only), then steps after a selection, with Δ carried across, as a round carries the
objective's state. λ_t is labelq's reproducible draw: the t-th source batch (t >= 2) blends with
``numpy.random.default_rng((seed, t - 1)).random()``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.networks import build_network
from models.objectives import Batch, build_objective
from models.train import TrainConfig, fit
from tests.models.objectives.helpers import two_domains

GAMMA, LR, SEED, STEPS = 0.5, 0.5, 5, 8


def _toy() -> dict[str, torch.Tensor]:
    """Source blobs; target rotated and shrunk (small logits, so high free energy: the hinge bites)."""
    x_s, y_s, x_t, y_t = two_domains(n=24, angle_deg=40.0, seed=3)
    return {"xs": x_s, "ys": y_s, "xt": 0.4 * x_t, "yt": y_t}


def _linear() -> torch.nn.Module:
    torch.manual_seed(11)
    return build_network("mlp", input_shape=[2], num_classes=3, hidden=[], dropout=0.0)


def _ce(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (torch.logsumexp(z, 1) - z[torch.arange(len(y)), y]).mean()


def reference(w: torch.Tensor, b: torch.Tensor, phases: list[dict], gamma: float) -> tuple:
    """SGD on z = x Wᵀ + b in float64 over ``phases`` (xs, ys, xl, yl or None, xu, steps)."""
    w, b = w.double().clone(), b.double().clone()
    delta, t = None, 0
    for ph in phases:
        for _ in range(ph["steps"]):
            w.requires_grad_(True)
            b.requires_grad_(True)
            zs = ph["xs"].double() @ w.T + b
            current = -torch.logsumexp(zs.detach(), 1).mean()
            t += 1
            if t == 1:
                delta = current
            else:
                lam = float(np.random.default_rng((SEED, t - 1)).random())
                delta = lam * delta + (1 - lam) * current
            loss = _ce(zs, ph["ys"])
            if ph["xl"] is not None:
                loss = loss + _ce(ph["xl"].double() @ w.T + b, ph["yl"])
            f_u = -torch.logsumexp(ph["xu"].double() @ w.T + b, 1)
            loss = loss + gamma * torch.clamp(f_u - delta, min=0).mean()
            gw, gb = torch.autograd.grad(loss, [w, b])
            w, b = (w - LR * gw).detach(), (b - LR * gb).detach()
    return w, b, float(delta)


def _sgd() -> TrainConfig:
    return TrainConfig(epochs=STEPS, batch_size=64, lr=LR, optimizer="sgd", momentum=0.0, seed=0)


def test_two_phases_match_the_reference_loop() -> None:
    d = _toy()
    picked, rest = torch.arange(4), torch.arange(4, 24)
    model = _linear()
    w0, b0 = model.classifier.weight.detach().clone(), model.classifier.bias.detach().clone()
    # phase 1, before the first selection: source NLL + γ·L_fea on the whole unlabeled target
    first = build_objective("eada", gamma=GAMMA, seed=SEED)
    fit(model, first, source=(d["xs"], d["ys"]), target_unlabeled=d["xt"], config=_sgd())
    # phase 2, after selecting 4 items: a new objective that continues the first one's state
    second = build_objective("eada", gamma=GAMMA, seed=SEED)
    second.load_state_dict(first.state_dict())
    fit(
        model,
        second,
        source=(d["xs"], d["ys"]),
        target_labeled=(d["xt"][picked], d["yt"][picked]),
        target_unlabeled=d["xt"][rest],
        config=_sgd(),
    )
    phases = [
        {"xs": d["xs"], "ys": d["ys"], "xl": None, "yl": None, "xu": d["xt"], "steps": STEPS},
        {
            "xs": d["xs"],
            "ys": d["ys"],
            "xl": d["xt"][picked],
            "yl": d["yt"][picked],
            "xu": d["xt"][rest],
            "steps": STEPS,
        },
    ]
    w, b, delta = reference(w0, b0, phases, GAMMA)
    got_w, got_b = model.classifier.weight.detach().double(), model.classifier.bias.detach().double()
    torch.testing.assert_close(got_w, w, atol=1e-5, rtol=0)
    torch.testing.assert_close(got_b, b, atol=1e-5, rtol=0)
    assert float(second.delta) == pytest.approx(delta, abs=1e-5)
    assert int(second.delta_updates) == 2 * STEPS
    # the alignment term mattered: without it (γ = 0) the weights end elsewhere
    w_plain, _, _ = reference(w0, b0, phases, 0.0)
    assert float((w_plain - w).abs().max()) > 1e-2


def test_fea_gradient_is_minus_softmax_times_input_on_the_hinged_samples() -> None:
    """∂/∂W γ·mean_i max(0, F_i - Δ) = -(γ/B) Σ_{i: F_i > Δ} p_i x_iᵀ (∂F/∂z = -softmax(z)); the
    same without x for the bias. Δ = the source batch's mean F (first step): a constant."""
    d = _toy()
    model = _linear().double()
    xs = d["xs"][:8].double()
    xu = 2.5 * d["xt"][:8].double()  # some of these stay below Δ: both sides of the hinge
    objective = build_objective("eada", gamma=GAMMA)
    terms = objective.terms(model, Batch(source=(xs, d["ys"][:8]), target_unlabeled=xu))
    gw, gb = torch.autograd.grad(terms.alignment, [model.classifier.weight, model.classifier.bias])
    w = model.classifier.weight.detach().numpy()
    b = model.classifier.bias.detach().numpy()

    def lse(z: np.ndarray) -> np.ndarray:
        m = z.max(1, keepdims=True)
        return (m + np.log(np.exp(z - m).sum(1, keepdims=True)))[:, 0]

    delta = -lse(xs.numpy() @ w.T + b).mean()
    z_u = xu.numpy() @ w.T + b
    p_u = np.exp(z_u - lse(z_u)[:, None])
    hinged = (-lse(z_u) > delta).astype(float)[:, None]
    assert 0 < hinged.sum() < len(hinged)  # both branches of the hinge are exercised
    expected_w = -(GAMMA / len(xu)) * (hinged * p_u).T @ xu.numpy()
    expected_b = -(GAMMA / len(xu)) * (hinged * p_u).sum(0)
    np.testing.assert_allclose(gw.numpy(), expected_w, atol=1e-10)
    np.testing.assert_allclose(gb.numpy(), expected_b, atol=1e-10)
    assert float(objective.delta) == pytest.approx(delta, abs=1e-6)
