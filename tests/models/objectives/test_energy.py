"""EADA objective (ALGORITHMS.md §1.4-1.5): free energy, FEA hinge, the running source statistic Δ."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from models.objectives import Batch, build_objective
from models.objectives.energy import EnergyAlignment, fea_loss, free_energy, uniform_draw, update_delta
from tests.models.objectives.helpers import TinyNet, small_batch

LOGITS = torch.tensor(
    [[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1000.0, 999.0, 0.0], [-5.0, 3.0, 3.0]], dtype=torch.float64
)


def test_free_energy_and_ce_match_the_table() -> None:
    expected_f = [-2.407606, -1.098612, -1000.313262, -3.693315]
    assert free_energy(LOGITS).tolist() == pytest.approx(expected_f, abs=1e-6)
    ce = F.cross_entropy(LOGITS, torch.zeros(4, dtype=torch.long), reduction="none")
    assert ce.tolist() == pytest.approx([0.407606, 1.098612, 0.313262, 8.693315], abs=1e-6)


def test_fea_loss_and_weighted_term() -> None:
    energy = torch.tensor([-1.0, -3.0, 0.5], dtype=torch.float64)
    loss = fea_loss(energy, -2.0)
    assert float(loss) == pytest.approx(1.1666667, abs=1e-6)
    assert float(0.01 * loss) == pytest.approx(0.011666667, abs=1e-8)


def test_delta_update() -> None:
    assert update_delta(-2.0, -3.0, 0.25) == pytest.approx(-2.75)


def test_lambda_draws_are_uniform_seeded_and_fresh() -> None:
    draws = [uniform_draw(0, t) for t in range(200)]
    assert draws == [uniform_draw(0, t) for t in range(200)]
    assert draws != [uniform_draw(1, t) for t in range(200)]
    assert all(0.0 <= d < 1.0 for d in draws) and len(set(draws)) == 200
    assert 0.4 < sum(draws) / 200 < 0.6


def test_delta_starts_at_the_first_source_batch_then_blends() -> None:
    model = TinyNet().double()
    objective = build_objective("eada", gamma=0.01)
    b1, b2 = small_batch(seed=1), small_batch(seed=2)
    with torch.no_grad():
        f1 = free_energy(model(b1.source[0])[0]).mean()
        f2 = free_energy(model(b2.source[0])[0]).mean()
    objective.terms(model, b1)
    assert float(objective.delta) == pytest.approx(float(f1), abs=1e-6)
    assert int(objective.delta_updates) == 1
    objective.terms(model, b2)
    lam = uniform_draw(0, 1)
    assert float(objective.delta) == pytest.approx(lam * float(f1) + (1 - lam) * float(f2), abs=1e-6)


def test_alignment_term_is_gamma_times_hinge_and_delta_gets_no_gradient() -> None:
    model = TinyNet().double()
    objective = build_objective("eada", gamma=0.5)
    batch = small_batch()
    terms = objective.terms(model, batch)
    assert not objective.delta.requires_grad
    with torch.no_grad():
        energy_u = free_energy(model(batch.target_unlabeled)[0])
        expected = fea_loss(energy_u, float(objective.delta))
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(float(expected), abs=1e-6)
    assert float(terms.alignment.detach()) == pytest.approx(0.5 * float(expected), abs=1e-6)
    ce = F.cross_entropy(model(batch.source[0])[0], batch.source[1]) + F.cross_entropy(
        model(batch.target_labeled[0])[0], batch.target_labeled[1]
    )
    assert float(terms.classification.detach()) == pytest.approx(float(ce.detach()), abs=1e-9)
    # The hinge's gradient flows through the target free energy only: Δ is a detached constant.
    graph_inputs = torch.autograd.grad(
        terms.alignment_unweighted, list(model.parameters()), allow_unused=True
    )
    assert any(g is not None for g in graph_inputs)


def test_delta_is_detached_from_the_source_batch() -> None:
    """Δ is computed from the source batch under no_grad: the hinge has no path back to it."""
    model = TinyNet().double()
    objective = build_objective("eada", gamma=1.0)
    batch = small_batch()
    x_s = batch.source[0].clone().requires_grad_(True)
    batch = Batch(source=(x_s, batch.source[1]), target_unlabeled=batch.target_unlabeled)
    terms = objective.terms(model, batch)
    (grad,) = torch.autograd.grad(terms.alignment_unweighted, [x_s], allow_unused=True)
    assert grad is None


def test_no_alignment_without_delta_or_unlabeled_batch() -> None:
    model = TinyNet().double()
    objective = build_objective("eada")
    batch = small_batch()
    only_target = Batch(target_labeled=batch.target_labeled, target_unlabeled=batch.target_unlabeled)
    assert objective.terms(model, only_target).alignment is None  # Δ unset
    assert objective.terms(model, Batch(source=batch.source)).alignment is None
    assert objective.terms(model, only_target).alignment is not None  # Δ now set, kept


def test_delta_persists_in_the_state_dict() -> None:
    model = TinyNet().double()
    objective = build_objective("eada", seed=3)
    for seed in range(3):
        objective.terms(model, small_batch(seed=seed))
    state = objective.state_dict()
    assert set(state) == {"delta", "delta_updates"}
    resumed = build_objective("eada", seed=3)
    resumed.load_state_dict(state)
    assert float(resumed.delta) == float(objective.delta) and int(resumed.delta_updates) == 3
    nxt = small_batch(seed=9)
    objective.terms(model, nxt)
    resumed.terms(model, nxt)
    assert float(resumed.delta) == float(objective.delta)


def test_parameter_checks() -> None:
    with pytest.raises(ValueError):
        EnergyAlignment(gamma=-1.0)
    with pytest.raises(TypeError):
        EnergyAlignment(seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        EnergyAlignment(source_weight=float("nan"))
