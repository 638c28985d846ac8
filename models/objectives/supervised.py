"""Plain supervised training: cross-entropy on labeled source and labeled target (EADA §1.4)."""

from __future__ import annotations

import math
from typing import Any

import torch.nn.functional as F
from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, Objective, register_objective
from models.objectives.params import CEParams


def _weight(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return float(value)


def mean_ce(model: nn.Module, x: Tensor, y: Tensor) -> Tensor:
    """x: [B, ...], y: [B] -> scalar mean_i CE(z_i, y_i), CE = logsumexp(z) - z_y."""
    logits, _ = model(x)
    return F.cross_entropy(logits, y.long())


class CrossEntropy(Objective):
    """L = w_s * mean_{source} CE + w_t * mean_{labeled target} CE.

    Two separate means, as in the EADA code: a small labeled-target batch weighs as much as the
    source batch. A term is absent when its batch is None; there is no alignment term.
    """

    name = "ce"

    def __init__(self, source_weight: float = 1.0, target_weight: float = 1.0) -> None:
        super().__init__()
        self.source_weight = _weight("source_weight", source_weight)
        self.target_weight = _weight("target_weight", target_weight)

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        parts: list[Tensor] = []
        logs: dict[str, float] = {}
        if batch.source is not None:
            ce_s = mean_ce(model, *batch.source)
            parts.append(self.source_weight * ce_s)
            logs["ce_source"] = float(ce_s.detach())
        if batch.target_labeled is not None:
            ce_t = mean_ce(model, *batch.target_labeled)
            parts.append(self.target_weight * ce_t)
            logs["ce_target"] = float(ce_t.detach())
        if not parts:
            raise ValueError("the ce objective needs a source or a labeled-target batch")
        classification = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        return LossTerms(classification=classification, logs=logs)


@register_objective(
    "ce",
    description="Cross-entropy on labeled source and labeled target, as two separate means (EADA code, "
    "§1.4).",
    params=CEParams,
)
def build_ce(source_weight: float = 1.0, target_weight: float = 1.0) -> CrossEntropy:
    return CrossEntropy(source_weight=source_weight, target_weight=target_weight)
