"""Passes and training streams read their inputs one batch at a time from any ``Rows``: the same
outputs, gradients and trained weights as from the whole tensor, never more than a batch read."""

from __future__ import annotations

import torch
from torch import Tensor

from models.acquisition.persample import per_sample_gradnorm
from models.inference import predict
from models.objectives import build_objective
from models.train import TrainConfig, fit
from tests.models.test_train import blobs, mlp


class CountingRows:
    """A tensor behind the Rows protocol that records every request."""

    def __init__(self, x: Tensor) -> None:
        self.x = x
        self.requests: list[int] = []

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: slice | Tensor) -> Tensor:
        out = self.x[index]
        self.requests.append(len(out))
        return out.clone()  # a copy, as a memory-mapped pool gives


def test_predict_reads_batches_and_gives_the_outputs_of_the_whole_tensor() -> None:
    x, _ = blobs(103)
    model = mlp()
    rows = CountingRows(x)
    lazy, whole = predict(model, rows, batch_size=16), predict(model, x, batch_size=16)
    assert torch.equal(lazy.logits, whole.logits) and torch.equal(lazy.features, whole.features)
    assert max(rows.requests) == 16 and sum(rows.requests) == 103  # each row read once


def test_an_empty_rows_gives_empty_outputs() -> None:
    out = predict(mlp(), CountingRows(torch.zeros(0, 2)))
    assert out.logits.shape == (0, 3) and out.features.shape == (0, 16)


def test_per_sample_gradnorm_reads_chunks_and_equals_the_whole_tensor() -> None:
    x, _ = blobs(21)
    model = mlp()
    rows = CountingRows(x)
    lazy = per_sample_gradnorm(model, rows, chunk_size=8)
    assert torch.allclose(lazy, per_sample_gradnorm(model, x, chunk_size=8), rtol=0, atol=0)
    assert rows.requests == [8, 8, 5]


def test_fit_from_rows_trains_the_same_weights_reading_only_batches() -> None:
    xs, ys = blobs(90)
    xt, _ = blobs(70, seed=3)
    config = TrainConfig(epochs=2, batch_size=16, seed=4)
    states, reads = [], []
    for lazy in (False, True):
        model = mlp()
        src, unl = (CountingRows(xs), CountingRows(xt)) if lazy else (xs, xt)
        objective = build_objective("dann", feature_dim=16)
        fit(model, objective, source=(src, ys), target_unlabeled=unl, config=config)
        states.append(model.state_dict())
        if lazy:
            reads = [*src.requests, *unl.requests]  # type: ignore[union-attr]
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])
    assert reads and max(reads) == 16  # a batch a step, never a stream whole
