"""Hand-computed values, direction, ties and seeding of the uncertainty baselines."""

from __future__ import annotations

import math

import pytest
import torch

from models.acquisition import AcquisitionContext, PoolOutputs, Selection, get_strategy

MINE = ["random", "entropy", "margin", "least_confidence"]
LN3 = math.log(3.0)


def ctx(logits: list[list[float]] | torch.Tensor, seed: int = 0) -> AcquisitionContext:
    z = torch.as_tensor(logits, dtype=torch.float32) if not isinstance(logits, torch.Tensor) else logits
    pool = PoolOutputs(z, torch.zeros(z.shape[0], 1))
    return AcquisitionContext(unlabeled=pool, generator=torch.Generator().manual_seed(seed))


def run(name: str, logits: list[list[float]] | torch.Tensor, budget: int, seed: int = 0) -> Selection:
    return get_strategy(name).fn(ctx(logits, seed), budget)


def by_index(sel: Selection, key: str | None = None) -> dict[int, float]:
    values = sel.scores if key is None else sel.components[key]
    return dict(zip(sel.indices.tolist(), values.tolist(), strict=True))


class TestEntropy:
    def test_hand_computed_values(self) -> None:
        sel = run("entropy", [[LN3, 0.0, -1e4], [0.0, 0.0, 0.0], [1000.0, 999.0, 0.0]], 3)
        scores = by_index(sel)
        assert scores[0] == pytest.approx(0.562335, abs=1e-6)  # p = [3/4, 1/4]
        assert scores[1] == pytest.approx(LN3, abs=1e-6)
        assert scores[2] == pytest.approx(0.582203, abs=1e-6)  # stable: naive p*log(p) would be NaN
        assert by_index(sel, "max_prob")[0] == pytest.approx(0.75, abs=1e-6)

    def test_most_uncertain_first(self) -> None:
        sel = run("entropy", [[5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], 2)
        assert sel.indices.tolist() == [1, 2]
        assert torch.equal(sel.scores, sel.components["entropy"])


class TestMargin:
    def test_hand_computed_values_and_sign(self) -> None:
        sel = run("margin", [[LN3, 0.0, -1e4], [1.0, 0.0, 0.0], [1.0, 0.0, -10.0]], 3)
        margins = by_index(sel, "margin")
        assert margins[0] == pytest.approx(0.5, abs=1e-6)
        assert margins[1] == pytest.approx(0.364175, abs=1e-6)
        assert margins[2] == pytest.approx(0.462112, abs=1e-6)
        torch.testing.assert_close(sel.scores, -sel.components["margin"])

    def test_smallest_margin_first(self) -> None:
        sel = run("margin", [[LN3, 0.0, -1e4], [1.0, 0.0, 0.0], [1.0, 0.0, -10.0]], 3)
        assert sel.indices.tolist() == [1, 2, 0]

    def test_one_class_is_refused(self) -> None:
        with pytest.raises(ValueError, match="2 classes"):
            run("margin", [[1.0], [2.0]], 1)


class TestLeastConfidence:
    def test_hand_computed_values_and_direction(self) -> None:
        sel = run("least_confidence", [[LN3, 0.0, -1e4], [0.0, 0.0, math.log(2.0)], [0.0, 0.0, 0.0]], 3)
        assert sel.indices.tolist() == [2, 1, 0]
        assert sel.scores.tolist() == pytest.approx([2 / 3, 0.5, 0.25], abs=1e-6)
        assert sel.components["max_prob"].tolist() == pytest.approx([1 / 3, 0.5, 0.75], abs=1e-6)


class TestRandom:
    def test_deterministic_per_seed_without_duplicates(self) -> None:
        logits = torch.zeros(50, 3)
        a, b = run("random", logits, 20, seed=1), run("random", logits, 20, seed=1)
        c = run("random", logits, 20, seed=2)
        assert torch.equal(a.indices, b.indices)
        assert not torch.equal(a.indices, c.indices)
        assert len(set(a.indices.tolist())) == 20
        assert torch.all(a.scores[:-1] >= a.scores[1:])

    def test_full_budget_is_a_permutation(self) -> None:
        sel = run("random", torch.zeros(30, 2), 100, seed=3)
        assert sorted(sel.indices.tolist()) == list(range(30))
        assert sel.indices.tolist() != list(range(30))


@pytest.mark.parametrize("name", ["entropy", "margin", "least_confidence"])
def test_ties_go_to_the_lower_pool_index(name: str) -> None:
    logits = [[2.0, 0.0], [0.0, 0.0], [9.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    assert run(name, logits, 3).indices.tolist() == [1, 3, 4]


@pytest.mark.parametrize("name", MINE)
def test_contract_shape_finiteness_and_permutation_invariance(name: str) -> None:
    torch.manual_seed(0)
    logits = torch.randn(40, 5) * 3
    sel = run(name, logits, 40)
    assert sel.indices.shape == sel.scores.shape == (40,)
    assert torch.isfinite(sel.scores).all()
    if name == "random":
        return  # priorities are drawn per position, not per item
    perm = torch.randperm(40)
    permuted = run(name, logits[perm], 40)
    torch.testing.assert_close(perm[permuted.indices].sort().values, sel.indices.sort().values)
    score_of = dict(zip(sel.indices.tolist(), sel.scores.tolist(), strict=True))
    expected = [score_of[int(perm[i])] for i in permuted.indices]
    assert permuted.scores.tolist() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("name", MINE)
def test_budget_handling_and_bad_arguments(name: str) -> None:
    logits = torch.randn(6, 3)
    assert len(run(name, logits, 0).indices) == 0
    assert len(run(name, logits, 100).indices) == 6
    with pytest.raises(ValueError, match="budget"):
        run(name, logits, -1)
    with pytest.raises(TypeError, match="no parameters"):
        get_strategy(name).fn(ctx(logits), 2, temperature=2.0)


@pytest.mark.parametrize("name", ["entropy", "margin", "least_confidence"])
def test_half_precision_logits_are_scored_in_float32(name: str) -> None:
    logits = torch.tensor([[1.0, 0.999], [1.0, 0.998]], dtype=torch.float16)
    sel = run(name, logits, 2)
    assert sel.scores.dtype == torch.float32
    assert sel.indices.tolist() == [0, 1]  # distinct scores despite fp16 storage
