"""The stopping rule (Bloodgood & Vijay-Shanker 2009) on hand-made kappa sequences."""

from __future__ import annotations

import pytest

from service.domain.stopping import advice, first_stable


def test_stable_when_the_mean_of_the_last_window_reaches_the_threshold() -> None:
    got = advice([None, 0.5, 0.995, 0.99, 1.0], 0.99, 3)  # (0.995 + 0.99 + 1.0) / 3 = 0.995
    assert got.stable and got.kappas == [0.995, 0.99, 1.0]
    assert got.mean_kappa == pytest.approx(0.995) and "stable for 3 rounds" in got.message


def test_not_stable_below_the_threshold() -> None:
    got = advice([0.95, 0.99, 1.0], 0.99, 3)  # mean 0.98
    assert not got.stable and got.mean_kappa == pytest.approx(0.98) and "still changing" in got.message


def test_a_checkpoint_without_kappa_breaks_the_run() -> None:
    got = advice([0.999, 1.0, None, 0.999, 1.0], 0.99, 3)
    assert not got.stable and got.kappas == [0.999, 1.0] and "2 of 3" in got.message
    assert advice([], 0.99, 3).mean_kappa is None


def test_first_stable_index() -> None:
    kappas = [None, 0.8, 0.97, 0.995, 0.999, 1.0, 0.9]
    # windows of 2: (0.97+0.995)/2 = 0.9825, (0.995+0.999)/2 = 0.997 -> index 4
    assert first_stable(kappas, 0.99, 2) == 4
    assert first_stable(kappas, 0.999, 3) is None
