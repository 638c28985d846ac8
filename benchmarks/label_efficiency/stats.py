"""Statistics of the label-efficiency report, from the simulation curves in ``results.json``:
mean ± std over seeds, the normalized area under the accuracy-vs-labels curve, a run cut after
round r, the best ce strategy of the grid, and a dataset's runs by key."""

from __future__ import annotations

import math
from typing import Any

from experiments import CE_STRATEGIES


def auc(labels: list[float], acc: list[float]) -> float:
    """models.simulation.area_under_curve: trapezoid area / label range (mean accuracy over labels)."""
    span = labels[-1] - labels[0]
    if span <= 0:
        return acc[-1]
    return sum((labels[i] - labels[i - 1]) * (acc[i] + acc[i - 1]) / 2 for i in range(1, len(labels))) / span


def mean_std(values: list[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def at_round(run: dict[str, Any], r: int) -> dict[str, Any]:
    """Final accuracy and AUC of a run cut after round r (per seed, then mean ± std)."""
    labels = run["curve"]["labels"][: r + 1]
    finals = [s[r] for s in run["curve"]["per_seed"]]
    aucs = [auc(labels, s[: r + 1]) for s in run["curve"]["per_seed"]]
    return {
        "labels": labels[-1],
        "final": mean_std(finals),
        "auc": mean_std(aucs),
        "finals": finals,
        "aucs": aucs,
    }


def pick_best_ce(grid_runs: dict[str, dict[str, Any]], rounds: int) -> str:
    """The ce strategy with the highest mean AUC after ``rounds`` rounds."""
    scores = {s: at_round(grid_runs[f"{s}+ce"], rounds)["auc"][0] for s in CE_STRATEGIES}
    return max(scores, key=lambda s: scores[s])


def collect_runs(dres: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    runs = {}
    for name, res in sorted(dres["experiments"].items()):
        if name.startswith(prefix):
            runs |= dict(zip(res["labels"], res["runs"], strict=True))
    return runs
