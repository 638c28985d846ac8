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


def outcome(
    kappas: Sequence[float | None],
    labels: Sequence[int],
    accuracy: Sequence[float],
    threshold: float,
    window: int,
) -> dict[str, float | int | None]:
    """What following the advice would have done in one simulated run (per round r: kappa,
    labels bought, accuracy): stop after the first round the advice calls stable, and so save the
    labels bought after it, at the cost of the accuracy the later rounds added (negative: the
    later rounds lost accuracy). All None when it never said stop."""
    at = first_stable(kappas, threshold, window)
    if at is None:
        return {"stop_round": None, "labels_at_stop": None, "labels_saved": None, "accuracy_given_up": None}
    return {
        "stop_round": at,
        "labels_at_stop": int(labels[at]),
        "labels_saved": int(labels[-1]) - int(labels[at]),
        "accuracy_given_up": float(accuracy[-1]) - float(accuracy[at]),
    }
