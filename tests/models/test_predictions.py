"""models.predictions against softmax computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from models.predictions import predictions


def test_top_k_probabilities_by_hand() -> None:
    # row 0: logits (0, ln 2, ln 5): softmax (1, 2, 5) / 8; row 1: a tie between classes 0 and 2
    logits = torch.tensor([[0.0, math.log(2.0), math.log(5.0)], [1.0, 0.0, 1.0]])
    first, tie = predictions(logits, k=2)
    assert first["label"] == 2
    assert [t["label"] for t in first["top"]] == [2, 1]
    assert [t["probability"] for t in first["top"]] == pytest.approx([5 / 8, 2 / 8], abs=1e-6)
    e = math.e
    assert tie["label"] == 0 and [t["label"] for t in tie["top"]] == [0, 2]  # the tie: lower index first
    assert tie["top"][0]["probability"] == pytest.approx(e / (2 * e + 1), abs=1e-6)


def test_k_is_capped_by_the_classes_and_checked() -> None:
    (only,) = predictions(torch.tensor([[3.0, 1.0]]), k=10)
    assert len(only["top"]) == 2 and sum(t["probability"] for t in only["top"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="k must be"):
        predictions(torch.zeros(1, 3), k=0)
    with pytest.raises(ValueError, match=r"\[N, C\]"):
        predictions(torch.zeros(3))
