"""TOD objective (ALGORITHMS.md §4.4-4.5): consistency losses, EMA warm-up, EMA state persistence."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from models.objectives import Batch, build_objective
from models.objectives.params import GHParams, TODParams
from models.objectives.tod import (
    TemporalConsistency,
    consistency,
    consistency_mse,
    ema_update_,
    warmup_alpha,
)
from models.params import validated
from models.train import trainable_parameters
from tests.models.objectives.helpers import TinyNet, small_batch


def test_consistency_paper_and_code_values() -> None:
    f = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    f_tilde = torch.zeros(1, 2, dtype=torch.float64)
    assert float(consistency(f, f_tilde)) == pytest.approx(5.0)
    assert float(consistency_mse(f, f_tilde)) == pytest.approx(2.5)


def test_consistency_is_a_mean_over_samples() -> None:
    f = torch.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=torch.float64)
    assert float(consistency(f, torch.zeros_like(f))) == pytest.approx((5.0 + 1.0) / 2)


def test_ema_update_and_warmup() -> None:
    ema, model = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.constant_(ema.weight, 1.0)
    torch.nn.init.constant_(model.weight, 2.0)
    ema_update_(ema, model, 0.999)
    assert float(ema.weight.detach()) == pytest.approx(1.001)
    assert warmup_alpha(1, 0.999) == 0.5
    assert warmup_alpha(10_000, 0.999) == 0.999
    torch.nn.init.constant_(ema.weight, 1.0)
    ema_update_(ema, model, warmup_alpha(1, 0.999))
    assert float(ema.weight.detach()) == pytest.approx(1.5)


def _step(objective: TemporalConsistency, model: TinyNet, batch: Batch) -> None:
    params = trainable_parameters(model, objective)
    terms = objective.terms(model, batch)
    objective.backward(terms, params)
    with torch.no_grad():
        for p in params:
            p -= 0.5 * p.grad
            p.grad = None
    objective.after_step(model)


def test_first_step_ema_equals_model_and_loss_is_zero() -> None:
    model = TinyNet().double()
    objective = build_objective("tod")
    terms = objective.terms(model, small_batch())
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(0.0, abs=1e-15)
    for e, p in zip(objective.ema.parameters(), model.parameters(), strict=True):
        assert torch.equal(e, p) and e is not p


def test_ema_follows_the_warmup_schedule() -> None:
    model = TinyNet().double()
    objective = build_objective("tod", alpha=0.9)
    objective.terms(model, small_batch())
    before = [p.detach().clone() for p in objective.ema.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    objective.after_step(model)  # t = 1 -> α = 0.5
    assert int(objective.ema_step) == 1
    for e, b, p in zip(objective.ema.parameters(), before, model.parameters(), strict=True):
        torch.testing.assert_close(e, 0.5 * b + 0.5 * p)


def test_ema_receives_no_gradient_and_is_not_optimized() -> None:
    model = TinyNet().double()
    objective = build_objective("tod", lam=1.0)
    _step(objective, model, small_batch(seed=0))
    _step(objective, model, small_batch(seed=1))
    ema_params = list(objective.ema.parameters())
    assert all(not p.requires_grad and p.grad is None for p in ema_params)
    assert not {id(p) for p in ema_params} & {id(p) for p in trainable_parameters(model, objective)}
    terms = objective.terms(model, small_batch(seed=2))
    assert float(terms.alignment_unweighted.detach()) > 0


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("space", ["softmax", "logits"])
def test_paper_mode_matches_formula(space: str, reduction: str) -> None:
    model = TinyNet().double()
    objective = build_objective("tod", space=space, reduction=reduction)
    _step(objective, model, small_batch(seed=0))
    batch = small_batch(seed=1)
    terms = objective.terms(model, batch)
    with torch.no_grad():
        z, z_ema = model(batch.target_unlabeled)[0], objective.ema(batch.target_unlabeled)[0]
        if space == "softmax":
            z, z_ema = z.softmax(-1), z_ema.softmax(-1)
        per_item = ((z - z_ema) ** 2).sum(-1)
        expected = per_item.mean() if reduction == "sum" else per_item.mean() / z.shape[1]
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(float(expected), rel=1e-10)


class Identity2(torch.nn.Module):
    """logits = x @ W.T + b with W = I, b = 0 (set by hand), features = x."""

    def __init__(self) -> None:
        super().__init__()
        self.classifier = torch.nn.Linear(2, 2, dtype=torch.float64)
        with torch.no_grad():
            self.classifier.weight.copy_(torch.eye(2, dtype=torch.float64))
            self.classifier.bias.zero_()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.classifier(x), x


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # the default: logits, F.mse_loss = ((1-0)² + (2-0)²) / 2 classes = 2.5 (§4.5, code)
        ({}, 2.5),
        ({"space": "logits", "reduction": "mean"}, 2.5),
        # Eq. 7 as printed: ||[1, 2] - [0, 0]||² = 5.0 (§4.5, paper)
        ({"reduction": "sum"}, 5.0),
        # softmax([1, 2]) = [0.268941, 0.731059] vs [0.5, 0.5]: 2 * 0.231059² = 0.106776, / 2 = 0.053388
        ({"space": "softmax", "reduction": "sum"}, 0.106776),
        ({"space": "softmax"}, 0.053388),
    ],
)
def test_consistency_by_hand(params: dict, expected: float) -> None:
    """The model's logits on x_u = [1, 2] are [1, 2]; the EMA's (weights set to 0) are [0, 0]."""
    model = Identity2()
    objective = build_objective("tod", **params)
    ema = objective.ema_for(model)
    with torch.no_grad():
        for p in ema.parameters():
            p.zero_()
    x = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    batch = Batch(source=None, target_labeled=(x, torch.tensor([1])), target_unlabeled=x)
    terms = objective.terms(model, batch)
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(expected, abs=1e-6)
    assert float(terms.alignment.detach()) == pytest.approx(0.05 * expected, abs=1e-7)


def test_defaults_are_the_reference_codes_logits_and_mse() -> None:
    """The objective and its parameter model agree: logits, mean reduction (F.mse_loss), paper mode."""
    objective = build_objective("tod")
    assert (objective.space, objective.reduction, objective.mode) == ("logits", "mean", "paper")
    assert validated(TODParams, {}) | {"source_weight": 1.0} == {
        "lam": 0.05,
        "alpha": 0.999,
        "mode": "paper",
        "space": "logits",
        "reduction": "mean",
        "source_weight": 1.0,
        "target_weight": 1.0,
    }
    inner = build_objective("gh", **validated(GHParams, {"align": "tod"})).inner
    assert (inner.space, inner.reduction) == ("logits", "mean")


def test_code_mode_uses_labeled_and_unlabeled_logits() -> None:
    model = TinyNet().double()
    objective = build_objective("tod", mode="code")
    _step(objective, model, small_batch(seed=0))
    batch = small_batch(seed=1)
    terms = objective.terms(model, batch)
    with torch.no_grad():
        x_l = torch.cat([batch.source[0], batch.target_labeled[0]])
        expected = F.mse_loss(model(x_l)[0], objective.ema(x_l)[0]) + F.mse_loss(
            model(batch.target_unlabeled)[0], objective.ema(batch.target_unlabeled)[0]
        )
    assert float(terms.alignment_unweighted.detach()) == pytest.approx(float(expected), rel=1e-10)
    assert float(terms.alignment.detach()) == pytest.approx(0.05 * float(expected), rel=1e-10)


def test_state_dict_round_trip_through_safetensors() -> None:
    model = TinyNet().double()
    objective = build_objective("tod")
    for seed in range(3):
        _step(objective, model, small_batch(seed=seed))
    state = st_load(st_save({k: v.contiguous() for k, v in objective.state_dict().items()}))
    assert "ema_step" in state and any(k.startswith("ema.") for k in state)

    resumed = build_objective("tod")
    resumed.load_state_dict(state)  # strict: the EMA is not built yet, its entries are kept
    assert int(resumed.ema_step) == 3
    assert set(resumed.state_dict()) == set(state)  # a loaded, unbuilt EMA is saved again
    ema = resumed.ema_for(model)
    for a, b in zip(ema.parameters(), objective.ema.parameters(), strict=True):
        assert torch.equal(a, b)

    resumed.after_step(model)
    objective.after_step(model)
    for a, b in zip(resumed.ema.parameters(), objective.ema.parameters(), strict=True):
        assert torch.equal(a, b)


def test_state_dict_round_trip_inside_gh() -> None:
    model = TinyNet().double()
    objective = build_objective("gh", align="tod", lam=0.5)
    params = trainable_parameters(model, objective)
    objective.backward(objective.terms(model, small_batch()), params)
    objective.after_step(model)
    state = objective.state_dict()
    assert "inner.ema_step" in state and any(k.startswith("inner.ema.") for k in state)
    resumed = build_objective("gh", align="tod", lam=0.5)
    resumed.load_state_dict(state)
    ema = resumed.inner.ema_for(model)
    for a, b in zip(ema.parameters(), objective.inner.ema.parameters(), strict=True):
        assert torch.equal(a, b)


def test_fresh_state_without_ema_copies_the_model() -> None:
    model = TinyNet().double()
    objective = build_objective("tod")
    objective.load_state_dict(build_objective("tod").state_dict())
    ema = objective.ema_for(model)
    assert all(torch.equal(a, b) for a, b in zip(ema.parameters(), model.parameters(), strict=True))


def test_parameter_checks() -> None:
    with pytest.raises(ValueError):
        build_objective("tod", mode="two_heads")
    with pytest.raises(ValueError):
        build_objective("tod", alpha=1.5)
    with pytest.raises(ValueError):
        build_objective("tod", space="probs")
    with pytest.raises(ValueError):
        build_objective("tod", reduction="max")
