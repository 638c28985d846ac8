"""auto: EXP3 over strategies with ALBL's importance-weighted accuracy, against hand values."""

from __future__ import annotations

import pytest
import torch

from models.acquisition import get_strategy
from models.acquisition.auto import BanditStep, exp3_probabilities, iw_accuracy, rewarded
from tests.models.acquisition.helpers import pool_context


def test_exp3_starts_uniform() -> None:
    assert exp3_probabilities(["a", "b", "c", "d"], [], 0.2) == pytest.approx([0.25] * 4)


def test_exp3_after_one_reward_by_hand() -> None:
    # K = 2, gamma 0.2: arm a drew with p 0.5 and earned 1: log w_a = 0.2 * (1 / 0.5) / 2 = 0.2;
    # w = (e^0.2, 1) = (1.2214028, 1) -> (0.5498340, 0.4501660); p = 0.8 w + 0.1
    p = exp3_probabilities(["a", "b"], [BanditStep("a", 0.5, 1.0)], 0.2)
    assert p == pytest.approx([0.5398672, 0.4601328], abs=1e-6)


def test_exp3_ignores_unrewarded_steps_and_unknown_arms() -> None:
    history = [BanditStep("a", 0.5, None), BanditStep("z", 0.5, 1.0)]
    assert exp3_probabilities(["a", "b"], history, 0.2) == pytest.approx([0.5, 0.5])


def test_iw_accuracy_by_hand() -> None:
    # weights 1/q = 2, 4, 1; right on the first and the last: (2 + 1) / 7
    got = iw_accuracy(torch.tensor([True, False, True]), torch.tensor([0.5, 0.25, 1.0]))
    assert got == pytest.approx(3 / 7)
    with pytest.raises(ValueError):
        iw_accuracy(torch.tensor([True]), torch.tensor([0.0]))


def test_rewarded_fills_the_last_step_only() -> None:
    steps = [BanditStep("a", 0.5, 0.3), BanditStep("b", 0.25)]
    out = rewarded(steps, torch.tensor([True, False]), torch.tensor([0.5, 0.5]))
    assert out == [BanditStep("a", 0.5, 0.3), BanditStep("b", 0.25, 0.5)]
    assert rewarded([], torch.tensor([True]), torch.tensor([1.0])) == []


def test_auto_buys_one_arms_batch_with_its_mixture_probabilities() -> None:
    arms = ("entropy", "margin")
    sel = get_strategy("auto").fn(pool_context(30), 6, arms=arms, gamma=0.2)
    own = {a: get_strategy(a).fn(pool_context(30), 6).indices.tolist() for a in arms}
    arm = sel.record["arm"]
    assert arm in arms and sel.indices.tolist() == own[arm]
    p = sel.record["probabilities"]
    assert p == pytest.approx({"entropy": 0.5, "margin": 0.5}) and sel.record["probability"] == p[arm]
    # q_i = sum of the probabilities of the arms whose batch holds i
    expected = [sum(p[a] for a in arms if i in own[a]) for i in own[arm]]
    assert sel.components["mixture_probability"].tolist() == pytest.approx(expected)
    assert f"drew {arm}" in sel.record["why"]


def test_auto_is_deterministic_for_a_seed_and_follows_the_weights() -> None:
    def draws() -> list[str]:
        return [
            get_strategy("auto")
            .fn(pool_context(20, gen_seed=s), 3, arms=("entropy", "margin"), gamma=0.1)
            .record["arm"]
            for s in range(60)
        ]

    first = draws()
    assert first == draws() and set(first) == {"entropy", "margin"}
    # margin rewarded 1.0 forty times at p 0.5: log w = 40 * 0.1 * 2 / 2 = 4,
    # w = e^4 / (e^4 + 1) = 0.9820138, p(margin) = 0.9 * w + 0.05 = 0.9338124
    history = [BanditStep("margin", 0.5, 1.0)] * 40
    ctx = pool_context(20)
    ctx.bandit = history
    sel = get_strategy("auto").fn(ctx, 3, arms=("entropy", "margin"), gamma=0.1)
    assert sel.record["probabilities"]["margin"] == pytest.approx(0.9338124, abs=1e-6)


def test_auto_refuses_bad_arms() -> None:
    for arms in (("entropy",), ("entropy", "entropy"), ("entropy", "auto"), ("entropy", "cod")):
        with pytest.raises(ValueError):
            get_strategy("auto").fn(pool_context(10), 2, arms=arms)
