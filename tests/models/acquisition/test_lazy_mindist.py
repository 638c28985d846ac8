"""Lazily refreshed nearest-centre distances, and the k-center greedy built on them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.acquisition.kcenter import kcenter_greedy
from models.acquisition.kronecker import KronPoints, NumpyPoints, kron_sqdist
from models.acquisition.lazy_mindist import LazyMinDist
from tests.models.acquisition.helpers import DT, as_torch_path, random_points


def blobs(n: int, d: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    centres = 10.0 * torch.randn(6, d, dtype=DT, generator=gen)
    return centres[torch.randint(6, (n,), generator=gen)] + torch.randn(n, d, dtype=DT, generator=gen)


def brute_min_d2(points: KronPoints, centres: list[int], initial: np.ndarray) -> np.ndarray:
    d2 = kron_sqdist(points, points.subset(torch.tensor(centres))).min(dim=1).values.numpy()
    out = np.minimum(initial, d2)
    out[centres] = -np.inf
    return out


def eager(points: KronPoints, k: int, **kw) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: the device-generic loop, one full pass over the pool per pick."""
    with torch.no_grad():
        return kcenter_greedy(as_torch_path(points), k, **kw)


class TestLazyMinDist:
    @pytest.mark.parametrize("a_dim", [1, 3])
    def test_refresh_all_gives_the_exact_minimum(self, a_dim: int) -> None:
        points = random_points(50, a_dim, 4, seed=a_dim)
        if a_dim == 1:
            points = KronPoints.plain(points.b)
        state = LazyMinDist(NumpyPoints(points), np.full(50, np.inf), capacity=5)
        for i in (3, 17, 40, 8, 22):
            state.add(i)
            state.refresh([0, 1, 2])  # partial refreshes in between must not break later ones
        assert state.is_stale(30) and not state.is_stale(0)
        state.refresh_all()
        np.testing.assert_allclose(state.ub, brute_min_d2(points, [3, 17, 40, 8, 22], np.inf), rtol=1e-12)
        assert not any(state.is_stale(i) for i in range(50))

    @pytest.mark.parametrize("tries", [0, 1, 8])
    def test_exact_argmax_matches_brute_force(self, tries: int) -> None:
        points = KronPoints.plain(blobs(300, 5, seed=tries))
        initial = np.full(300, 1e6)
        state = LazyMinDist(NumpyPoints(points), initial.copy(), capacity=30)
        added: list[int] = []
        gen = np.random.default_rng(tries)
        for _ in range(30):
            i = state.exact_argmax(tries)
            assert i == int(np.argmax(brute_min_d2(points, added, initial))) if added else i == 0
            nxt = int(gen.integers(300)) if len(added) % 3 == 2 else i  # some centres not the argmax
            if nxt in added:
                nxt = i
            state.add(nxt)
            added.append(nxt)

    def test_refresh_block_rows_and_centre_blocks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import models.acquisition.lazy_mindist as lm

        monkeypatch.setattr(lm, "REFRESH_ROWS", 7)
        monkeypatch.setattr(lm, "DEFAULT_MAX_ELEMENTS", 10)  # 10 // 7 = 1 centre per GEMM
        points = random_points(40, 2, 3, seed=9)
        state = LazyMinDist(NumpyPoints(points), np.full(40, np.inf), capacity=6)
        for i in (0, 5, 9):
            state.add(i)
        state.refresh(np.arange(0, 40, 2))
        for i in (11, 13, 19):
            state.add(i)
        state.refresh_all()
        np.testing.assert_allclose(state.ub, brute_min_d2(points, [0, 5, 9, 11, 13, 19], np.inf), rtol=1e-12)


class TestLazyKCenterEqualsEager:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_plain_with_initial_centres(self, seed: int) -> None:
        x = blobs(400, 8, seed)
        points, initial = KronPoints.plain(x[:360]), KronPoints.plain(x[360:])
        lazy = kcenter_greedy(points, 60, initial=initial)
        ref = eager(points, 60, initial=initial)
        assert lazy[0].tolist() == ref[0].tolist()
        torch.testing.assert_close(lazy[1], ref[1], rtol=1e-12, atol=1e-12)

    @pytest.mark.parametrize("a_dim", [1, 4])
    def test_first_pick_and_kronecker_points(self, a_dim: int) -> None:
        points = random_points(250, a_dim, 6, seed=10 + a_dim)
        lazy, ref = kcenter_greedy(points, 40, first=7), eager(points, 40, first=7)
        assert lazy[0].tolist() == ref[0].tolist()
        torch.testing.assert_close(lazy[1], ref[1], rtol=1e-12, atol=1e-12)

    def test_exact_ties_go_to_the_lower_index(self) -> None:
        line = KronPoints.plain(torch.arange(-6.0, 7.0, dtype=DT)[:, None])  # integer distances: exact
        initial = KronPoints.plain(torch.zeros(1, 1, dtype=DT))
        lazy, ref = kcenter_greedy(line, 13, initial=initial), eager(line, 13, initial=initial)
        assert lazy[0].tolist() == ref[0].tolist()
        assert lazy[0][:4].tolist() == [0, 12, 3, 9]  # -6 before +6, then -3 before +3

    def test_exact_ties_on_a_grid_go_to_the_lower_index(self) -> None:
        grid = torch.stack(torch.meshgrid(torch.arange(7.0), torch.arange(7.0), indexing="ij"), -1)
        points = KronPoints.plain(grid.reshape(-1, 2).to(DT))  # squared norms are exact sums of squares
        initial = KronPoints.plain(torch.tensor([[3.0, 3.0]], dtype=DT))
        lazy, ref = kcenter_greedy(points, 49, initial=initial), eager(points, 49, initial=initial)
        assert lazy[0].tolist() == ref[0].tolist()
        assert lazy[0][:4].tolist() == [0, 6, 42, 48]  # the four corners tie at distance sqrt(18)

    def test_duplicates_are_each_picked_once(self) -> None:
        x = torch.tensor([[0.0], [5.0], [5.0], [5.0], [1.0]], dtype=DT)
        lazy, ref = kcenter_greedy(KronPoints.plain(x), 5, first=0), eager(KronPoints.plain(x), 5, first=0)
        assert lazy[0].tolist() == ref[0].tolist() == [0, 1, 4, 2, 3]
        assert lazy[1].tolist() == ref[1].tolist()

    def test_single_pick_reports_the_covering_radius(self) -> None:
        x = torch.tensor([[0.0], [2.0], [-7.0]], dtype=DT)
        idx, dist = kcenter_greedy(KronPoints.plain(x), 1, first=1)
        assert idx.tolist() == [1] and dist.tolist() == [9.0]

    def test_clustered_pool_compares_few_pairs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The point of the lazy loop: most points are never compared with most centres."""
        import models.acquisition.kcenter as kc

        states: list[LazyMinDist] = []
        real = kc.LazyMinDist

        def spy(*args, **kwargs) -> LazyMinDist:
            states.append(real(*args, **kwargs))
            return states[-1]

        monkeypatch.setattr(kc, "LazyMinDist", spy)
        x = blobs(3000, 16, seed=4)
        kcenter_greedy(KronPoints.plain(x[:2900]), 100, initial=KronPoints.plain(x[2900:]))
        assert 0 < states[0].pairs_computed < 0.5 * 2900 * 100
