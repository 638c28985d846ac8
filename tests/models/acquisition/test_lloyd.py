"""Incremental Lloyd (LloydAssigner, lloyd_step(previous=...)) gives the plain loop's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor

import models.acquisition.lloyd as lloyd_mod
from models.acquisition.clue import lloyd, lloyd_step, nearest_rows
from models.acquisition.lloyd import LloydAssigner, row_blocks
from tests.models.acquisition.helpers import DT


def gaussian(n: int, d: int, seed: int, dtype: torch.dtype = DT) -> Tensor:
    return torch.randn(n, d, dtype=dtype, generator=torch.Generator().manual_seed(seed))


def blobs(n: int, d: int, n_blobs: int, seed: int, spread: float = 0.3, dtype: torch.dtype = DT) -> Tensor:
    """Well-separated clusters: centres ~ N(0, 10²), points ~ centre + N(0, spread²)."""
    gen = torch.Generator().manual_seed(seed)
    centres = 10.0 * torch.randn(n_blobs, d, dtype=dtype, generator=gen)
    which = torch.randint(0, n_blobs, (n,), generator=gen)
    return centres[which] + spread * torch.randn(n, d, dtype=dtype, generator=gen)


def with_duplicates(seed: int) -> Tensor:
    x = gaussian(60, 4, seed)
    return torch.cat([x, x[:30], x[:10]])  # rows repeated twice and three times


def integer_line(n: int) -> Tensor:
    """1-D integer points: many points equidistant from two centroids (exact in any dtype)."""
    return torch.arange(n, dtype=DT)[:, None] % 17


def weights_for(x: Tensor, seed: int, zeros: bool = False) -> Tensor:
    w = torch.rand(len(x), dtype=x.dtype, generator=torch.Generator().manual_seed(seed)) + 0.1
    if zeros:
        w[::3] = 0.0  # whole clusters can end up with zero mass
    return w


CASES = {
    "gaussian": lambda: (gaussian(300, 5, 0), 25, False),
    "gaussian_float32": lambda: (gaussian(400, 8, 1, torch.float32), 40, False),
    "blobs": lambda: (blobs(500, 6, 12, 2), 30, False),
    "blobs_float32_wide": lambda: (blobs(800, 64, 20, 3, spread=2.0, dtype=torch.float32), 60, False),
    "duplicates": lambda: (with_duplicates(4), 20, False),
    "zero_weights": lambda: (blobs(300, 3, 5, 5), 24, True),
    "k_1": lambda: (gaussian(50, 3, 6), 1, False),
    "k_n": lambda: (gaussian(40, 3, 7), 40, False),
    "k_n_duplicates": lambda: (with_duplicates(8), 100, False),
    "integer_ties": lambda: (integer_line(120), 9, False),
}


def first_centroids(x: Tensor, k: int, seed: int) -> Tensor:
    return x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:k]]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("min_cols", [1, lloyd_mod.MIN_COLS])
def test_assignments_equal_nearest_rows_along_the_plain_loop(
    name: str, min_cols: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every call of the assigner returns nearest_rows' answer while the plain loop runs."""
    monkeypatch.setattr(lloyd_mod, "MIN_COLS", min_cols)  # 1: only the moved centroids are scored
    x, k, zeros = CASES[name]()
    w = weights_for(x, 1, zeros)
    centroids = first_centroids(x, k, 2)
    assigner = LloydAssigner(x.numpy())
    for _ in range(12):
        expected = nearest_rows(centroids, x)
        assert torch.equal(torch.from_numpy(assigner(centroids.numpy())), expected)
        centroids, _ = lloyd_step(x, w, expected, centroids)


@pytest.mark.parametrize("name", sorted(CASES))
def test_lloyd_equals_plain_loop(name: str) -> None:
    """Centroids, masses and progress of the incremental loop are the plain loop's, bit for bit."""
    x, k, zeros = CASES[name]()
    w = weights_for(x, 3, zeros)
    start = first_centroids(x, k, 4)
    reports: dict[bool, list[float]] = {True: [], False: []}
    out = {
        inc: lloyd(x, w, start, n_iter=15, progress=reports[inc].append, incremental=inc)
        for inc in (True, False)
    }
    assert torch.equal(out[True][0], out[False][0])
    assert torch.equal(out[True][1], out[False][1])
    assert reports[True] == reports[False]
    assert out[True][1].sum().item() == pytest.approx(w.sum().item())


def test_lloyd_without_numpy_path_equals_plain_loop() -> None:
    """With autograd on, nearest_rows and torch's weighted rows run; the result is the same."""
    x, w = blobs(200, 4, 6, 9), weights_for(blobs(200, 4, 6, 9), 5)
    start = first_centroids(x, 15, 6)
    plain = lloyd(x, w, start, n_iter=10, incremental=False)
    grad = lloyd(x.clone().requires_grad_(), w, start, n_iter=10)
    assert torch.equal(grad[0].detach(), plain[0]) and torch.equal(grad[1], plain[1])


def test_ties_go_to_the_lower_centroid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equidistant centroids after a move: the lower index wins, as np.argmin over the full row."""
    monkeypatch.setattr(lloyd_mod, "MIN_COLS", 1)
    x = torch.arange(11, dtype=DT)[:, None]  # 0, 1, ..., 10
    far = [[100.0 + i] for i in range(20)]  # unmoved and never nearest
    steps = [
        [[-10.0], [3.0], [20.0]],  # point 5 -> 1
        [[7.0], [3.0], [20.0]],  # 0 moves to a tie with the unmoved own centroid 1 -> 0
        [[7.0], [3.0], [9.0]],  # 2 moves; 8 is equidistant from 7 and 9 -> 0
        [[7.0], [5.0], [9.0]],  # 1 moves; 6 is equidistant from 5 and its own centroid 7 -> 0
        [[7.0], [3.0], [9.0]],  # own centroid 1 of point 5 moves away: 3 and the unmoved 7 tie -> 0
    ]
    assigner = LloydAssigner(x.numpy())
    for c in steps:
        centroids = torch.tensor(c + far, dtype=DT)
        got = torch.from_numpy(assigner(centroids.numpy()))
        assert torch.equal(got, nearest_rows(centroids, x))
    assert got[5].item() == 0 and got[8].item() == 0


def test_bounds_prune_on_separated_blobs() -> None:
    """Once the clusters settle, only a small share of the N x K scores is computed."""
    x = blobs(3000, 8, 30, 10, spread=1.0)
    w = weights_for(x, 7)
    centroids = first_centroids(x, 200, 8)
    assigner = LloydAssigner(x.numpy())
    for _ in range(12):
        assign = torch.from_numpy(assigner(centroids.numpy()))
        assert torch.equal(assign, nearest_rows(centroids, x))
        centroids, _ = lloyd_step(x, w, assign, centroids)
    assert assigner.fractions[0] == 1.0
    assert max(assigner.fractions[8:]) < 0.2
    assert assigner.fractions[-1] < 0.15


def test_unchanged_centroids_cost_nothing() -> None:
    x = gaussian(100, 3, 11)
    assigner = LloydAssigner(x.numpy())
    c = x[:7].numpy()
    first = assigner(c)
    assert np.array_equal(assigner(c.copy()), first) and assigner.fractions == [1.0, 0.0]


@pytest.mark.parametrize("n_changed", [2, 150])
def test_lloyd_step_with_previous_is_bit_identical(n_changed: int) -> None:
    """Summing only the changed clusters (gathered, all rows, precomputed w x) gives the same numbers."""
    x = gaussian(400, 6, 12, torch.float32)
    w = weights_for(x, 13, zeros=True)
    gen = torch.Generator().manual_seed(14)
    before = torch.randint(0, 30, (400,), generator=gen)
    centroids, _ = lloyd_step(x, w, before, x[:30])
    after = before.clone()
    after[torch.randperm(400, generator=gen)[:n_changed]] = torch.randint(0, 30, (n_changed,), generator=gen)
    full = lloyd_step(x, w, after, centroids)
    for weighted in (None, x * w[:, None]):
        incremental = lloyd_step(x, w, after, centroids, previous=before, weighted=weighted)
        assert torch.equal(full[0], incremental[0]) and torch.equal(full[1], incremental[1])


def test_row_blocks_cover_rows_evenly() -> None:
    blocks = row_blocks(10, 4)
    assert [(b.start, b.stop) for b in blocks] == [(0, 3), (3, 7), (7, 10)]
    assert row_blocks(5, 100) == [slice(0, 5)]
