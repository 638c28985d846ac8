"""A simulated run records, per round, the stop-set kappa and the label-free accuracy estimates."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
import torch

from tests.models.test_simulation import CONFIG, data, run  # noqa: F401  (the module's fixture)


def _numpy_atc(cal_logits: np.ndarray, cal_y: np.ndarray, logits: np.ndarray) -> float:
    def neg_entropy(z: np.ndarray) -> np.ndarray:
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        return (p * np.log(p)).sum(1)

    k = round(float((cal_logits.argmax(1) == cal_y).mean()) * len(cal_y))
    t = -math.inf if k == len(cal_y) else np.sort(neg_entropy(cal_logits))[::-1][k]
    return float((neg_entropy(logits) > t).mean())


def test_a_network_that_does_not_move_agrees_with_itself(data: dict[str, Any]) -> None:  # noqa: F811
    frozen = dataclasses.replace(CONFIG, lr=1e-12)
    curve = run(data, "random", [3, 3, 3], config=frozen)
    assert curve.kappa[0] is None and curve.kappa[1:] == [1.0, 1.0, 1.0]
    with torch.no_grad():
        net = data["network"].eval()
        z_eval = net(data["eval"][0])[0].double().numpy()
        z_src = net(data["source"][0])[0].double().numpy()
    p = np.exp(z_eval - z_eval.max(1, keepdims=True))
    confidence = (p / p.sum(1, keepdims=True)).max(1).mean()
    atc = _numpy_atc(z_src, data["source"][1].numpy(), z_eval)  # 24 source items: all calibrate
    assert curve.average_confidence == pytest.approx([confidence] * 4, abs=1e-6)
    assert curve.atc == pytest.approx([atc] * 4, abs=1e-9)


def test_a_training_run_records_one_value_per_round(data: dict[str, Any]) -> None:  # noqa: F811
    curve = run(data, "entropy", [4, 4])
    assert len(curve.kappa) == len(curve.atc) == len(curve.average_confidence) == 3
    assert all(-1.0 <= k <= 1.0 for k in curve.kappa[1:] if k is not None)
    assert all(0.0 <= a <= 1.0 for a in curve.atc if a is not None)
    without_source = run(data, "entropy", [4], source=None)
    assert without_source.atc == [None, None]


def test_auto_in_the_simulation_is_deterministic_and_records_its_choices(data: dict[str, Any]) -> None:  # noqa: F811
    params = {"arms": ("entropy", "random", "coreset"), "gamma": 0.3}
    first = run(data, "auto", [3, 3, 3], params=params)
    again = run(data, "auto", [3, 3, 3], params=params)
    assert first.selected == again.selected and first.choices == again.choices
    assert [c["arm"] in params["arms"] for c in first.choices] == [True] * 3
    # round 1 has nothing to learn from; later rounds saw the earlier rounds' rewards
    assert "over 0 earlier auto rounds" in first.choices[0]["why"]
    assert "over 2 earlier auto rounds" in first.choices[2]["why"]
    assert first.choices[0]["probabilities"] == pytest.approx(dict.fromkeys(params["arms"], 1 / 3))
    assert first.choices[2]["probabilities"] != first.choices[0]["probabilities"]
    assert run(data, "entropy", [3]).choices == [{}]
