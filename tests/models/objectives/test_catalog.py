"""Every objective's registered parameter model builds it: defaults, round trips, refusals."""

from __future__ import annotations

import pydantic
import pytest

from models.objectives import build_objective, list_objectives
from models.objectives.base import get_objective
from models.params import validated


@pytest.mark.parametrize("name", list_objectives())
def test_default_catalog_params_build_the_objective(name: str) -> None:
    params = validated(get_objective(name).params, {})
    if name in ("dann", "gh", "ghpp"):  # dann is the default alignment of gh/ghpp
        params["feature_dim"] = 8
    assert build_objective(name, **params).name == name


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("eada", {"gamma": 0.0005, "seed": 4}),
        ("tod", {"lam": 0.02, "alpha": 0.99, "mode": "code", "space": "logits"}),
        ("gh", {"align": "eada", "gamma": 0.1}),
        ("ghpp", {"align": "tod", "lam": 0.1, "mode": "code", "k": 0.25, "ghpp_mode": "exact_rotation"}),
    ],
)
def test_catalog_params_round_trip(name: str, raw: dict) -> None:
    objective = build_objective(name, **validated(get_objective(name).params, raw))
    inner = getattr(objective, "inner", objective)
    weight = raw.get("gamma", raw.get("lam"))
    assert inner.alignment_weight == weight


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("eada", {"gamma": -1}),
        ("eada", {"lam": 0.1}),
        ("tod", {"mode": "two_heads"}),
        ("tod", {"alpha": 1.5}),
        ("dann", {"feature_dim": 8}),
        ("gh", {"align": "eada", "trade_off": 1.0}),
        ("gh", {"k": 0.5}),
        ("ghpp", {"k": 2}),
        ("ghpp", {"align": "ce"}),
    ],
)
def test_catalog_refuses_bad_params(name: str, raw: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        validated(get_objective(name).params, raw)
