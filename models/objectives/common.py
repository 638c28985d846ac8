"""What the alignment objectives (eada, tod, dann) share: the ce part and argument checks.

Each alignment objective is ``ce + weight * alignment``. The classification term is the ``ce``
objective itself (``models/objectives/supervised.py``), run through :class:`Recorder` so the
logits and features of its forward passes are reused (EADA's Δ' and DANN's source features come
from "the same forward pass as the CE term", ALGORITHMS.md §1.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, Objective
from models.objectives.supervised import CrossEntropy

Output = tuple[Tensor, Tensor]
"""A network's ``(logits [B, C], features [B, D])``."""


class Recorder(nn.Module):
    """Calls ``model`` and remembers each input with its output, so outputs can be looked up later."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.calls: list[tuple[Tensor, Output]] = []

    def forward(self, x: Tensor) -> Output:
        out = self.model(x)
        self.calls.append((x, out))
        return out

    def output_for(self, x: Tensor) -> Output | None:
        """The output of the call whose input was this very tensor (identity, not equality)."""
        return next((out for xi, out in self.calls if xi is x), None)


@dataclass
class SupervisedPass:
    """The ce terms plus the outputs of the source and labeled-target forward passes (or None)."""

    terms: LossTerms
    source: Output | None
    target_labeled: Output | None


def supervised_pass(ce: CrossEntropy, model: nn.Module, batch: Batch) -> SupervisedPass:
    """Run the ``ce`` objective on ``batch`` and keep its forward outputs."""
    recorder = Recorder(model)
    terms = ce.terms(recorder, batch)
    source = None if batch.source is None else recorder.output_for(batch.source[0])
    labeled = None if batch.target_labeled is None else recorder.output_for(batch.target_labeled[0])
    return SupervisedPass(terms=terms, source=source, target_labeled=labeled)


class AlignmentObjective(Objective):
    """``L = ce + alignment_weight * L_align``; subclasses fill ``alignment``/``alignment_unweighted``.

    ``alignment_weight`` is the trade-off λ1 that gh/ghpp re-apply after harmonizing (§5.1-5).
    """

    alignment_weight: float

    def __init__(self, source_weight: float = 1.0, target_weight: float = 1.0) -> None:
        super().__init__()
        self.ce = CrossEntropy(source_weight=source_weight, target_weight=target_weight)

    def with_alignment(
        self, sup: SupervisedPass, unweighted: Tensor | None, logs: dict[str, float]
    ) -> LossTerms:
        """The ce terms plus ``alignment_weight * unweighted`` (absent when ``unweighted`` is None)."""
        terms = sup.terms
        all_logs = {**terms.logs, **logs}
        if unweighted is None:
            return LossTerms(classification=terms.classification, logs=all_logs)
        return LossTerms(
            classification=terms.classification,
            alignment=self.alignment_weight * unweighted,
            alignment_unweighted=unweighted,
            logs={**all_logs, "alignment_unweighted": float(unweighted.detach())},
        )


def check_number(
    name: str, value: Any, *, low: float, high: float = math.inf, open_low: bool = False
) -> float:
    """A finite real in ``[low, high]`` (or ``(low, high]`` with ``open_low``); bools refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    ok = math.isfinite(value) and (value > low if open_low else value >= low) and value <= high
    if not ok:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {value}")
    return value


def check_int(name: str, value: Any, *, low: int) -> int:
    """An integer ``>= low``; bools refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return str(value)
