"""COD selection, first-cycle rules (§4.1, §4.3, §4.5)."""

from __future__ import annotations

import math

import pytest
import torch

from models.acquisition import PoolOutputs
from models.acquisition.cod import cod, output_distance
from tests.models.acquisition.helpers import DT, logits_ctx

COD = [0.1, 0.5, 0.5, 0.2]


def distance_ctx(previous: bool) -> object:
    """Logit space with zero previous logits: the COD of item i is exactly COD[i]."""
    logits = [[d, 0.0] for d in COD]
    prev = PoolOutputs(torch.zeros(4, 2, dtype=DT), torch.zeros(4, 2, dtype=DT)) if previous else None
    return logits_ctx(logits, previous=prev)


def test_distance_worked_example() -> None:
    d = output_distance(torch.tensor([[0.7, 0.2, 0.1]], dtype=DT), torch.tensor([[0.4, 0.4, 0.2]], dtype=DT))
    assert d.item() == pytest.approx(0.374166, abs=1e-6)
    assert 0.5 * d.item() ** 2 == pytest.approx(0.07, abs=1e-12)  # the code's ½Σd²


def test_softmax_space_through_strategy() -> None:
    current = [[math.log(0.7), math.log(0.2), math.log(0.1)], [0.0, 0.0, 0.0]]
    prev = torch.tensor([[math.log(0.4), math.log(0.4), math.log(0.2)], [0.0, 0.0, 0.0]], dtype=DT)
    sel = cod(logits_ctx(current, previous=PoolOutputs(prev, torch.zeros(2, 2, dtype=DT))), 2)
    assert sel.indices.tolist() == [0, 1]
    torch.testing.assert_close(sel.scores, torch.tensor([0.374166, 0.0], dtype=DT), atol=1e-6, rtol=0)


def test_highest_with_index_tiebreak() -> None:
    sel = cod(distance_ctx(previous=True), 2, space="logits")  # type: ignore[arg-type]
    assert sel.indices.tolist() == [1, 2]
    assert sel.components["distance"].tolist() == [0.5, 0.5]


def test_first_cycle_random_reference_lowest() -> None:
    sel = cod(distance_ctx(previous=False), 2, space="logits")  # type: ignore[arg-type]
    assert sel.indices.tolist() == [0, 3]
    assert sel.components["distance"].tolist() == [0.1, 0.2]
    assert (sel.scores == -sel.components["distance"]).all()  # higher score is still better


def test_first_cycle_softmax_picks_closest_to_uniform() -> None:
    sel = cod(logits_ctx([[4.0, 0.0, 0.0], [0.1, 0.0, 0.0], [1.0, 0.0, 0.0]]), 1)
    assert sel.indices.tolist() == [1]


def test_first_cycle_init_snapshot_needs_previous() -> None:
    with pytest.raises(ValueError, match="init_snapshot_highest.*needs ctx.previous"):
        cod(distance_ctx(previous=False), 2, first_cycle="init_snapshot_highest")  # type: ignore[arg-type]
    sel = cod(distance_ctx(previous=True), 2, space="logits", first_cycle="init_snapshot_highest")  # type: ignore[arg-type]
    assert sel.indices.tolist() == [1, 2]


def test_first_cycle_random_uses_generator() -> None:
    picks = set()
    for seed in range(10):
        ctx = logits_ctx([[0.0, 0.0]] * 6)
        ctx.generator.manual_seed(seed)
        picks.add(tuple(cod(ctx, 2, first_cycle="random").indices.tolist()))
    assert len(picks) > 1


def test_previous_shape_mismatch() -> None:
    prev = PoolOutputs(torch.zeros(3, 2, dtype=DT), torch.zeros(3, 2, dtype=DT))
    with pytest.raises(ValueError, match="do not match"):
        cod(logits_ctx([[0.0, 1.0]] * 4, previous=prev), 1)


def test_unknown_space() -> None:
    with pytest.raises(ValueError, match="COD space"):
        cod(distance_ctx(previous=True), 1, space="features")  # type: ignore[arg-type]
