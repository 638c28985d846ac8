"""CLUE weights, weighted k-means and distinct nearest points (§6.3)."""

from __future__ import annotations

import pytest
import torch

from models.acquisition import AcquisitionContext, PoolOutputs
from models.acquisition.clue import clue, clue_weights, distinct_nearest, lloyd_step
from tests.models.acquisition.helpers import DT


def test_weights_worked_example() -> None:
    z = torch.tensor([[2.0, 1.0, 0.0]], dtype=DT)
    assert clue_weights(z, 1.0).item() == pytest.approx(0.832396, abs=1e-6)
    assert clue_weights(z, 0.1).item() == pytest.approx(0.000500, abs=1e-6)
    assert torch.isfinite(clue_weights(torch.tensor([[1000.0, 0.0]]), 1.0)).all()


def test_lloyd_step_weighted_mean_and_empty_cluster() -> None:
    x = torch.tensor([[0.0], [2.0], [10.0]], dtype=DT)
    w = torch.tensor([1.0, 3.0, 1.0], dtype=DT)
    cen, mass = lloyd_step(x, w, torch.tensor([0, 0, 1]), torch.tensor([[0.0], [9.0], [7.0]], dtype=DT))
    assert cen.tolist() == [[1.5], [10.0], [7.0]]
    assert mass.tolist() == [4.0, 1.0, 0.0]


def test_distinct_nearest_fills_duplicates() -> None:
    x = torch.tensor([[0.0], [1.0], [5.0]], dtype=DT)
    idx, cen = distinct_nearest(x, torch.tensor([[0.1], [0.2], [0.3]], dtype=DT))
    assert idx.tolist() == [0, 1, 2] and cen.tolist() == [0, 1, 2]


def blobs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]], dtype=DT)
    h = (centres[:, None, :] + 0.5 * torch.randn(3, 10, 2, dtype=DT, generator=gen)).reshape(30, 2)
    logits = torch.randn(30, 4, dtype=DT, generator=gen)
    return logits, h


def test_one_pick_per_blob() -> None:
    logits, h = blobs()
    for seed in range(5):
        sel = clue(AcquisitionContext(PoolOutputs(logits, h), torch.Generator().manual_seed(seed)), 3)
        assert sorted((sel.indices // 10).tolist()) == [0, 1, 2]
        assert (sel.scores[:-1] >= sel.scores[1:]).all()  # heaviest cluster first


def test_pick_is_nearest_to_weighted_centroid() -> None:
    # one cluster: the centroid is pulled towards the heavily weighted (uncertain) points
    h = torch.tensor([[0.0], [1.0], [2.0], [3.0]], dtype=DT)
    logits = torch.tensor([[9.0, 0.0], [9.0, 0.0], [0.0, 0.0], [0.0, 0.0]], dtype=DT)
    sel = clue(AcquisitionContext(PoolOutputs(logits, h), torch.Generator().manual_seed(0)), 1)
    assert sel.indices.tolist() == [2]


def test_identical_features_still_distinct() -> None:
    h = torch.zeros(5, 2, dtype=DT)
    sel = clue(
        AcquisitionContext(PoolOutputs(torch.zeros(5, 3, dtype=DT), h), torch.Generator().manual_seed(0)), 5
    )
    assert sorted(sel.indices.tolist()) == [0, 1, 2, 3, 4]
