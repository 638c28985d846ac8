"""Every objective trains: a short fit on two-domain synthetic data lowers its loss."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from models.networks import build_network
from models.objectives import build_objective
from models.train import TrainConfig, fit
from tests.models.objectives.helpers import two_domains

FEATURE_DIM = 16
CASES: list[tuple[str, dict[str, Any]]] = [
    ("ce", {}),
    ("eada", {"gamma": 0.1}),
    ("tod", {"lam": 0.5}),
    ("tod", {"lam": 0.5, "mode": "code"}),
    ("dann", {"hidden": 16}),
    ("gh", {"align": "dann", "hidden": 16}),
    ("gh", {"align": "eada", "gamma": 0.1}),
    ("ghpp", {"align": "tod", "lam": 0.5}),
    ("ghpp", {"align": "dann", "hidden": 16, "ghpp_mode": "exact_rotation"}),
]


def _build(name: str, params: dict[str, Any]):
    if name == "dann" or params.get("align") == "dann":
        params = {**params, "feature_dim": FEATURE_DIM}
    return build_objective(name, **params)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_short_fit_reduces_the_loss(name: str, params: dict[str, Any]) -> None:
    x_s, y_s, x_t, y_t = two_domains(n=192)
    torch.manual_seed(0)
    model = build_network("mlp", input_shape=[2], num_classes=3, hidden=[FEATURE_DIM])
    objective = _build(name, params)
    config = TrainConfig(epochs=8, batch_size=32, lr=0.01, optimizer="adam", seed=0)
    result = fit(
        model,
        objective,
        source=(x_s, y_s),
        target_labeled=(x_t[:12], y_t[:12]),
        target_unlabeled=x_t[12:],
        config=config,
    )
    first, last = result.history[0], result.history[-1]
    assert last["loss"] < 0.7 * first["loss"], result.history
    assert last["classification"] < first["classification"]
    if name in ("gh", "ghpp"):
        assert {"w1", "w2", "cos", "conflict"} <= set(last)
        assert 0.0 <= objective.conflict_rate <= 1.0 and objective.steps == result.steps
