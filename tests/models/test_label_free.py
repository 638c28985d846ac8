"""Kappa, ATC and average confidence against values worked out by hand (and sklearn's kappa)."""

from __future__ import annotations

import math

import pytest
import torch
from sklearn.metrics import cohen_kappa_score

from models.label_free import (
    atc_estimate,
    atc_threshold,
    average_confidence,
    cohens_kappa,
    estimates,
    negative_entropy,
)


def t(values: list[int]) -> torch.Tensor:
    return torch.tensor(values)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # p_o = 3/4; p_a = (1/2, 1/2), p_b = (1/4, 3/4): p_e = 1/8 + 3/8 = 1/2 -> (3/4 - 1/2) / (1/2)
        ([0, 0, 1, 1], [0, 1, 1, 1], 0.5),
        # p_o = 1/2; both uniform over 3 classes: p_e = 1/3 -> (1/2 - 1/3) / (2/3)
        ([0, 1, 2, 0, 1, 2], [0, 1, 2, 1, 2, 0], 0.25),
        # never agree, p_e = 1/2 -> (0 - 1/2) / (1/2)
        ([0, 1], [1, 0], -1.0),
        ([2, 0, 1], [2, 0, 1], 1.0),
        # one class everywhere on both sides: p_e = 1, perfect agreement
        ([1, 1, 1], [1, 1, 1], 1.0),
    ],
)
def test_kappa_hand_values(a: list[int], b: list[int], expected: float) -> None:
    assert cohens_kappa(t(a), t(b)) == pytest.approx(expected, abs=1e-12)


def test_kappa_matches_sklearn_on_random_labels() -> None:
    g = torch.Generator().manual_seed(3)
    for _ in range(5):
        a = torch.randint(0, 4, (200,), generator=g)
        b = torch.where(torch.rand(200, generator=g) < 0.7, a, torch.randint(0, 4, (200,), generator=g))
        assert cohens_kappa(a, b, 4) == pytest.approx(cohen_kappa_score(a.numpy(), b.numpy()), abs=1e-12)


def test_kappa_refuses_mismatched_or_empty() -> None:
    with pytest.raises(ValueError):
        cohens_kappa(t([0, 1]), t([0]))
    with pytest.raises(ValueError):
        cohens_kappa(t([]), t([]))


def _binary_neg_entropy(margin: float) -> float:
    p = 1.0 / (1.0 + math.exp(-margin))
    return p * math.log(p) + (1 - p) * math.log(1 - p)


def test_negative_entropy_uniform_and_binary() -> None:
    got = negative_entropy(torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    assert got[0].item() == pytest.approx(-math.log(3), abs=1e-12)
    assert negative_entropy(torch.tensor([[1.0, 0.0]]))[0].item() == pytest.approx(_binary_neg_entropy(1.0))


def test_atc_threshold_and_estimate_by_hand() -> None:
    # every item is predicted class 0; labels make two of four right: accuracy 1/2, k = 2 kept,
    # t = the third largest confidence = that of logits [1, 0]
    cal = torch.tensor([[3.0, 0.0], [2.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    y = t([0, 1, 0, 1])
    threshold = atc_threshold(cal, y)
    assert threshold == pytest.approx(_binary_neg_entropy(1.0), abs=1e-12)
    assert threshold == pytest.approx(-0.5822037, abs=1e-6)
    # on unlabeled items: margins 5 and 4 lie above t, 1 is equal (not above), 0.5 below -> 2/4
    target = torch.tensor([[5.0, 0.0], [1.0, 0.0], [0.5, 0.0], [4.0, 0.0]])
    assert atc_estimate(target, threshold) == 0.5


def test_atc_with_perfect_calibration_accuracy_counts_everything() -> None:
    cal = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    assert atc_threshold(cal, t([0, 1])) == -math.inf
    assert atc_estimate(torch.tensor([[0.0, 0.0], [0.1, 0.0]]), -math.inf) == 1.0


def test_average_confidence_by_hand() -> None:
    # max softmax 1/2 and 3/4 (logit ln 3 against 0)
    logits = torch.tensor([[0.0, 0.0], [math.log(3.0), 0.0]])
    assert average_confidence(logits) == pytest.approx(0.625, abs=1e-7)


def test_atc_on_its_own_calibration_data_gives_its_accuracy() -> None:
    """By construction (distinct confidences): the share above t on the calibration set is
    round(acc·N)/N; a target whose items are less confident gets a lower estimate."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(1001, 3, generator=g) * 2
    y = torch.randint(0, 3, (1001,), generator=g)
    y[:600] = logits[:600].argmax(1)  # about 600 + 401/3 right
    acc = float((logits.argmax(1) == y).double().mean())
    est = estimates((logits, y), logits)
    assert est["atc"] == pytest.approx(round(acc * 1001) / 1001, abs=1e-12)
    assert estimates((logits, y), logits / 4)["atc"] < est["atc"] - 0.2
