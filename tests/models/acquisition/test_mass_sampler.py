"""The two-level sampler behind the lazy k-means++ draws."""

from __future__ import annotations

import numpy as np
import pytest

import models.acquisition.mass_sampler as ms
from models.acquisition.mass_sampler import MassSampler


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "BLOCK", 4)  # several blocks, a ragged last one


def frequencies(sampler: MassSampler, n: int, draws: int = 40000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.bincount([sampler.draw(float(u)) for u in rng.random(draws)], minlength=n) / draws


def test_frequencies_follow_the_masses() -> None:
    mass = np.array([1.0, 0.0, 3.0, 0.5, 0.0, 0.0, 0.0, 0.0, 2.0, 1.5, 0.0])
    np.testing.assert_allclose(frequencies(MassSampler(mass), 11), mass / mass.sum(), atol=0.01)


def test_updates_move_the_law_and_zero_mass_is_never_drawn() -> None:
    sampler = MassSampler(np.ones(10))
    sampler.update(np.array([0, 5, 9]), np.array([0.0, 6.0, 0.0]))
    expected = np.array([0, 1, 1, 1, 1, 6, 1, 1, 1, 0], dtype=float)
    assert sampler.total() == pytest.approx(13.0)
    np.testing.assert_allclose(frequencies(sampler, 10), expected / expected.sum(), atol=0.01)


def test_edges_of_the_unit_interval_land_on_positive_entries() -> None:
    mass = np.array([0.0, 0.0, 1e-300, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
    sampler = MassSampler(mass)
    for u in (0.0, 1e-320, 0.5, np.nextafter(1.0, 0.0)):
        assert mass[sampler.draw(u)] > 0


def test_all_zero_returns_minus_one() -> None:
    assert MassSampler(np.zeros(5)).draw(0.3) == -1
