"""The CPU (numpy) fast paths agree with the device-generic torch code they stand in for."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.acquisition.clue import nearest_rows
from models.acquisition.kmeanspp import D2Draws, kmeanspp_probabilities, kmeanspp_seeding
from models.acquisition.kronecker import (
    KronPoints,
    NumpyPoints,
    kron_sqdist,
    min_sqdist,
    nearest_points,
    on_cpu,
)
from models.acquisition.lazy_mindist import LazyMinDist
from tests.models.acquisition.helpers import DT, as_torch_path, random_points


def one_centre_d2(points: KronPoints, i: int) -> np.ndarray:
    """[N] squared distances to point i through the numpy path (a refresh against one centre)."""
    state = LazyMinDist(NumpyPoints(points), np.full(len(points), np.inf), capacity=1)
    state.add(i)
    state.refresh_all()
    state.ub[i] = 0.0  # a centre's own entry is -inf by convention
    return state.ub


@pytest.mark.parametrize("a_dim", [1, 3])
def test_numpy_distances_match_kron_identity(a_dim: int) -> None:
    points = random_points(40, a_dim, 6, seed=a_dim)
    if a_dim == 1:
        points = KronPoints.plain(points.b)
    assert NumpyPoints(points).plain == (a_dim == 1)
    for i in (0, 17, 39):
        expected = kron_sqdist(points, points.subset(torch.tensor([i])))[:, 0]
        np.testing.assert_allclose(one_centre_d2(points, i), expected.numpy(), rtol=1e-10, atol=1e-10)


def test_single_column_that_is_not_ones_is_not_plain() -> None:
    b = torch.randn(5, 3, dtype=DT)
    scaled = KronPoints(torch.full((5, 1), 2.0, dtype=DT), b)
    assert not NumpyPoints(scaled).plain
    np.testing.assert_allclose(
        one_centre_d2(scaled, 2), 4.0 * one_centre_d2(KronPoints.plain(b), 2), rtol=1e-12
    )


def test_on_cpu_excludes_autograd() -> None:
    points = random_points(4, 2, 2, seed=0)
    assert on_cpu(points) and not on_cpu(as_torch_path(points))


def stale_state(x: list[float], refreshed: list[int], stale: list[int]) -> LazyMinDist:
    """1-D points with centres ``refreshed`` (bounds exact for them), then ``stale`` ones added
    without any refresh: the bounds of points near the stale centres overstate their D²."""
    pts = NumpyPoints(KronPoints.plain(torch.tensor(x, dtype=DT)[:, None]))
    state = LazyMinDist(pts, np.full(len(x), np.inf), capacity=len(refreshed) + len(stale))
    for i in refreshed:
        state.add(i)
    state.refresh_all()
    for i in stale:
        state.add(i)
    return state


class TestDrawD2:
    def test_frequencies_follow_the_exact_law_from_stale_bounds(self) -> None:
        x = [0.0, 1.0, 3.0, -2.0, 7.0, 7.5, 4.0, 6.0]
        weights = np.array([1.0, 2.0, 1.0, 0.5, 1.0, 0.0, 3.0, 1.0])
        exact = np.array([min((v - 3.0) ** 2, (v - 7.0) ** 2) for v in x])
        chosen = np.array([False, False, True, False, True, False, False, False])
        probs = kmeanspp_probabilities(
            torch.from_numpy(exact), torch.from_numpy(chosen), torch.from_numpy(weights)
        ).numpy()
        bounds = stale_state(x, [2], [4]).ub
        assert bounds[7] == 9.0 and exact[7] == 1.0  # 6 is nearer the stale centre 7 than 3
        assert bounds[0] == exact[0] == 9.0
        gen = torch.Generator().manual_seed(0)
        draws = [D2Draws(stale_state(x, [2], [4]), weights).draw(gen) for _ in range(20000)]
        counts = np.bincount(draws, minlength=len(x))
        assert counts[2] == counts[4] == counts[5] == 0  # centres, and zero weight
        np.testing.assert_allclose(counts / counts.sum(), probs, atol=0.015)

    def test_one_sampler_keeps_the_law_while_it_refreshes_bounds(self) -> None:
        x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0]
        exact = np.array([min(v * v, (v - 5.0) ** 2, (v - 10.0) ** 2) for v in x])
        chosen = np.array([True, False, False, False, False, True, False, True])
        probs = kmeanspp_probabilities(torch.from_numpy(exact), torch.from_numpy(chosen)).numpy()
        gen, counts = torch.Generator().manual_seed(3), np.zeros(len(x))
        for _ in range(400):  # each sampler draws 50 times; its first draws see stale bounds
            draws = D2Draws(stale_state(x, [0], [5, 7]), None, tries=2)
            for _ in range(50):
                counts[draws.draw(gen)] += 1
        np.testing.assert_allclose(counts / counts.sum(), probs, atol=0.01)

    def test_overstated_bounds_are_corrected(self) -> None:
        # point 2 duplicates the stale centre 1: its bound says 25, its D² is 0; point 3's says 81, is 16
        gen = torch.Generator().manual_seed(1)
        for _ in range(300):
            state = stale_state([0.0, 5.0, 5.0, 9.0], [0], [1])
            assert state.ub[2] == 25.0
            assert D2Draws(state, None).draw(gen) == 3 and state.ub[3] == 16.0

    def test_uniform_over_candidates_when_every_d2_is_zero(self) -> None:
        gen = torch.Generator().manual_seed(2)
        draws = [D2Draws(stale_state([0.0, 0.0, 0.0, 3.0], [3], [0]), None).draw(gen) for _ in range(4000)]
        counts = np.bincount(draws, minlength=4)
        assert counts[0] == counts[3] == 0  # the centres
        assert abs(counts[1] - counts[2]) < 300

    def test_seeded(self) -> None:
        x = [float(v) for v in range(10)]
        a = [D2Draws(stale_state(x, [0], [9]), None).draw(torch.Generator().manual_seed(5)) for _ in range(3)]
        b = [D2Draws(stale_state(x, [0], [9]), None).draw(torch.Generator().manual_seed(5)) for _ in range(3)]
        assert a == b


def test_seeding_numpy_and_torch_paths_give_the_same_d2_at_each_pick() -> None:
    """Both paths draw from the same law but consume the generator differently, so compare what a
    pick implies: distinct seeds, and each recorded D² equals the seed's distance to earlier seeds."""
    points = random_points(60, 3, 4, seed=7)
    for pts in (points, as_torch_path(points)):
        with torch.no_grad():
            idx, d2 = kmeanspp_seeding(pts, 12, first=5, generator=torch.Generator().manual_seed(0))
        assert idx[0].item() == 5 and len(set(idx.tolist())) == 12
        full = kron_sqdist(points, points)
        for t in range(1, 12):
            expected = full[idx[t], idx[:t]].min()
            assert d2[t].item() == pytest.approx(expected.item(), rel=1e-9, abs=1e-9)


def test_seeding_cpu_and_generic_draw_the_far_point() -> None:
    """Far-away points dominate the D² law on both paths (direction of selection)."""
    b = torch.tensor([[0.0], [0.1], [0.2], [100.0]], dtype=DT)
    for pts in (KronPoints.plain(b), as_torch_path(KronPoints.plain(b))):
        with torch.no_grad():
            picks = [
                kmeanspp_seeding(pts, 2, first=0, generator=torch.Generator().manual_seed(s))[0][1].item()
                for s in range(20)
            ]
        assert picks.count(3) == 20


@pytest.mark.parametrize("max_elements", [1, 7, 1 << 22])
def test_nearest_rows_matches_min_sqdist_and_brute_force(max_elements: int) -> None:
    gen = torch.Generator().manual_seed(3)
    x, y = torch.randn(9, 4, dtype=DT, generator=gen), torch.randn(30, 4, dtype=DT, generator=gen)
    fast = nearest_rows(x, y, max_elements=max_elements)
    brute = torch.cdist(y, x).argmin(dim=1)
    generic = min_sqdist(KronPoints.plain(y), KronPoints.plain(x))[1]
    assert fast.tolist() == brute.tolist() == generic.tolist()


def test_nearest_rows_ties_go_to_lower_index() -> None:
    x = torch.tensor([[1.0], [-1.0], [1.0]], dtype=DT)  # rows 0 and 2 equal; 0 and 1 equidistant from 0
    assert nearest_rows(x, torch.tensor([[0.0], [1.0], [-3.0]], dtype=DT)).tolist() == [0, 0, 1]


@pytest.mark.parametrize(("a_dim", "m"), [(1, 5), (3, 5), (1, 30)])
def test_nearest_points_numpy_matches_torch_path(a_dim: int, m: int) -> None:
    points, centres = random_points(30, a_dim, 4, seed=m), random_points(7, a_dim, 4, seed=m + 1)
    if a_dim == 1:
        points, centres = KronPoints.plain(points.b), KronPoints.plain(centres.b)
    fast = nearest_points(points, centres, m, max_elements=50)  # centre blocks of 1
    with torch.no_grad():
        ref = nearest_points(as_torch_path(points), as_torch_path(centres), m)
    assert fast[0].tolist() == ref[0].tolist()
    torch.testing.assert_close(fast[1], ref[1].detach(), rtol=1e-12, atol=1e-12)


def test_nearest_points_numpy_ties_at_the_cut_go_to_lower_indices() -> None:
    pts = KronPoints.plain(torch.tensor([[3.0], [-1.0], [2.0], [1.0], [-2.0], [1.0]], dtype=DT))
    cen = KronPoints.plain(torch.tensor([[0.0]], dtype=DT))
    assert nearest_points(pts, cen, 2)[0].tolist() == [[1, 3]]  # -1, 1, 1 tie: the two lowest
    assert nearest_points(pts, cen, 4)[0].tolist() == [[1, 3, 5, 2]]
