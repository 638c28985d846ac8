"""GH / GH++ weight functions (ALGORITHMS.md §5.5, §7-2) and the objective's edge cases.

The harmonized step itself (weights from the shared parameters, hand-computed) is in test_gh_step.py.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from models.objectives import build_objective, gh_weights, ghpp_exact_weights, ghpp_weights
from models.objectives.harmonize import gradient_geometry
from models.train import trainable_parameters
from tests.models.objectives.helpers import TinyNet, small_batch


def vec(*values: float) -> Tensor:
    return torch.tensor(values, dtype=torch.float64)


# §5.5, k = 0.5: g1, g2, GH, GH++ code, GH++ exact.
TABLE = [
    ((1, 0), (-1, 1), (2.0, 1.5), (1.390181, 0.609819), (2.071930, 1.689246)),
    ((3, 0), (-1, 1), (1.333333, 2.5), (1.390181, 0.609819), (1.561685, 2.454613)),
    ((2, 0, 1), (-1, 2, 0), (1.4, 1.4), (1.205396, 0.794604), (1.290994, 1.290994)),
    ((1, 0), (1, 1), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0)),
]


@pytest.mark.parametrize(("g1", "g2", "gh", "ghpp", "exact"), TABLE)
def test_weights_match_the_worked_examples(g1, g2, gh, ghpp, exact) -> None:
    a, b = vec(*g1), vec(*g2)
    assert gh_weights(a, b) == pytest.approx(gh, abs=1e-6)
    assert ghpp_weights(a, b, k=0.5) == pytest.approx(ghpp, abs=1e-6)
    assert ghpp_exact_weights(a, b, k=0.5) == pytest.approx(exact, abs=1e-6)


def test_row_one_aggregate_updates() -> None:
    g1, g2 = vec(1, 0), vec(-1, 1)
    w1, w2 = gh_weights(g1, g2)
    assert (w1 * g1 + w2 * g2).tolist() == pytest.approx([0.5, 1.5], abs=1e-6)
    w1, w2 = ghpp_weights(g1, g2)
    assert (w1 * g1 + w2 * g2).tolist() == pytest.approx([0.780361, 0.609819], abs=1e-6)
    w1, w2 = ghpp_exact_weights(g1, g2)
    assert (w1 * g1 + w2 * g2).tolist() == pytest.approx([0.382683, 1.689246], abs=1e-6)


def test_gh_projections_are_orthogonal() -> None:
    g1, g2 = vec(1, 0), vec(-1, 1)
    d = float(g1 @ g2)
    h1 = g1 - d / float(g2 @ g2) * g2
    h2 = g2 - d / float(g1 @ g1) * g1
    assert float(h1 @ g2) == pytest.approx(0.0) and float(h2 @ g1) == pytest.approx(0.0)
    w1, w2 = gh_weights(g1, g2)
    assert (h1 + h2).tolist() == pytest.approx((w1 * g1 + w2 * g2).tolist())


def test_gradients_given_as_parameter_lists() -> None:
    g1 = [vec(2, 0), vec(1)]
    g2 = [vec(-1, 2), vec(0)]
    assert gh_weights(g1, g2) == pytest.approx((1.4, 1.4))
    assert ghpp_weights(g1, g2) == pytest.approx((1.205396, 0.794604), abs=1e-6)


def test_tiny_norm_falls_back_to_one_one() -> None:
    tiny, other = vec(1e-13, 0), vec(-1, 1)
    for fn in (gh_weights, ghpp_weights, ghpp_exact_weights):
        assert fn(tiny, other) == (1.0, 1.0)
        assert fn(other, tiny) == (1.0, 1.0)
        assert fn(vec(0, 0), other) == (1.0, 1.0)
    assert gh_weights(vec(1e-9, 0), vec(-1e3, 1e3)) == (1.0, 1.0)  # relative guard


def test_anti_parallel_gradients_give_finite_weights() -> None:
    g1, g2 = vec(1, 0), vec(-2, 0)
    assert gh_weights(g1, g2) == pytest.approx((3.0, 1.5))  # θ = π: ĝ1 = ĝ2 = 0
    s = 2 * math.sin(math.pi / 8)
    assert ghpp_weights(g1, g2) == pytest.approx((1 + s, 1 - s))  # 1.765367, 0.234633
    assert ghpp_exact_weights(g1, g2) == pytest.approx((1 + s, 1 - s))  # sin θ = 0: code fallback


def test_cosine_slightly_beyond_minus_one_is_clamped() -> None:
    g1 = vec(0.1, 0.2, 0.3) * 7.0
    g2 = -vec(0.1, 0.2, 0.3) * 3.0
    assert gradient_geometry(g1, g2).cos == -1.0
    w1, w2 = ghpp_weights(g1, g2)
    assert math.isfinite(w1) and math.isfinite(w2)


def test_ghpp_extreme_k() -> None:
    g1, g2 = vec(1, 0), vec(-1, 1)
    assert ghpp_weights(g1, g2, k=0.0)[0] == pytest.approx(1.0)  # g1 unchanged
    assert ghpp_weights(g1, g2, k=1.0)[1] == pytest.approx(1.0)  # g2 unchanged


def test_no_alignment_term_is_a_plain_backward() -> None:
    model = TinyNet().double()
    objective = build_objective("gh", align="eada")
    batch = small_batch(torch.float64)
    batch.target_unlabeled = None
    params = trainable_parameters(model, objective)
    terms = objective.terms(model, batch)
    assert terms.alignment is None
    assert objective.backward(terms, params) == {}
    assert all(p.grad is not None for p in model.parameters())
    assert objective.steps == 0 and objective.conflict_rate == 0.0


def test_harmonized_parameter_checks() -> None:
    with pytest.raises(ValueError, match="align"):
        build_objective("gh", align="ce")
    with pytest.raises(ValueError, match="k must be"):
        build_objective("ghpp", align="eada", k=1.5)
    with pytest.raises(TypeError):
        build_objective("gh", align="eada", trade_off=1.0)  # a dann parameter


def test_parameter_no_loss_reaches_keeps_grad_none() -> None:
    model = TinyNet(seed=14).double()
    model.unused = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    objective = build_objective("gh", align="eada", gamma=0.5)
    params = trainable_parameters(model, objective)
    objective.backward(objective.terms(model, small_batch()), params)
    assert model.unused.grad is None
    assert all(p.grad is not None for name, p in model.named_parameters() if name != "unused")
