"""Stopping advice from stabilizing predictions (Bloodgood & Vijay-Shanker 2009).

After each training, the worker records Cohen's kappa between the new checkpoint's predictions
and its parent's on the project's fixed stop set of target items (``stop_kappa`` in the
checkpoint's metrics, workers/label_free.py). Predictions are *stable* once the mean of the last
``window`` kappas reaches ``threshold`` (the paper's defaults: 3 and 0.99): more labels are then
unlikely to change the model. Plain Python, shared by the metrics endpoint and the simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StopAdvice:
    stable: bool
    kappas: list[float]  # the last ``window`` kappas (fewer while not enough are known), oldest first
    mean_kappa: float | None
    threshold: float
    window: int
    message: str


def advice(kappas: Sequence[float | None], threshold: float, window: int) -> StopAdvice:
    """``kappas``: one per checkpoint in version order, None where none is known (no parent, or
    a checkpoint not trained here). Only an unbroken run of known kappas at the end counts."""
    recent: list[float] = []
    for k in reversed(kappas):
        if k is None or len(recent) == window:
            break
        recent.insert(0, float(k))
    if len(recent) < window:
        return StopAdvice(
            False,
            recent,
            _mean(recent),
            threshold,
            window,
            f"not enough to judge: {len(recent)} of {window} consecutive retrained checkpoints have a "
            "stop-set agreement with their parent",
        )
    mean = sum(recent) / window
    if mean >= threshold:
        message = (
            f"stable for {window} rounds (mean kappa {mean:.4f} >= {threshold}): more labels are unlikely "
            "to help"
        )
    else:
        message = f"still changing: mean kappa {mean:.4f} over the last {window} rounds < {threshold}"
    return StopAdvice(mean >= threshold, recent, mean, threshold, window, message)


def first_stable(kappas: Sequence[float | None], threshold: float, window: int) -> int | None:
    """The first index i at which ``advice(kappas[: i + 1])`` says stable, or None."""
    for i in range(len(kappas)):
        if advice(kappas[: i + 1], threshold, window).stable:
            return i
    return None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
