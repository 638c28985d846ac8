"""Diagnostic for the discussion (item 6): the GH / GH++ weights in one MNIST -> digits round.

Not through the service (the simulation API returns curves and class counts, not per-step terms):
the models/ training loop directly, set up like one simulated round of the report. LeNet trained
source-only (2 epochs, batch 128, Adam 1e-3, seed 0), then, per seed, 13 random labeled digits and
one epoch of gh / ghpp / dann (source + labeled target + unlabeled target, batch 128, Adam 1e-3).
Prints each run's epoch means of the logged terms: w1, w2 (GH weights of the alignment and the
classification gradients), cos (between them), conflict (share of steps with g1·g2 < 0), and the
eval accuracy on the target eval split after the round; and the spread of w1 over the steps
(median / 95th percentile / max), which the epoch means hide.

    .venv/bin/python benchmarks/label_efficiency/gh_weights.py      (about 2 minutes on 2 cores)
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
import data as datasets  # noqa: E402

from models.networks import build_network  # noqa: E402
from models.simulation import eval_accuracy  # noqa: E402
from models.train import TrainConfig, fit  # noqa: E402
from workers.training import training_objective  # noqa: E402

TERMS = ("w1", "w2", "cos", "conflict")


def load(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    with np.load(path) as z:
        return torch.from_numpy(z["x"]), torch.from_numpy(z["y"]).long()


def recording(objective: Any) -> tuple[Any, list[dict[str, float]]]:
    """The objective, with every step's logged terms (what ``backward`` returns) kept in a list."""
    steps: list[dict[str, float]] = []
    backward = objective.backward

    def logged(*args: Any, **kwargs: Any) -> dict[str, float]:
        logs = backward(*args, **kwargs)
        steps.append(dict(logs))
        return logs

    objective.backward = logged
    return objective, steps


def main() -> None:
    paths = datasets.mnist_digits()
    source, target, evaluation = (load(paths[n]) for n in ("source", "target", "eval"))
    torch.manual_seed(0)
    start = build_network("lenet", num_classes=10, in_channels=1, input_size=28)
    config = {"batch_size": 128, "lr": 1e-3, "optimizer": "adam"}
    ce = training_objective("ce", {}, start)
    fit(start, ce, source=source, config=TrainConfig(epochs=2, seed=0, **config))
    print(f"source only: eval accuracy {eval_accuracy(start, evaluation, None):.3f}")
    print("| seed | objective | " + " | ".join(TERMS) + " | w1 median / p95 / max | eval accuracy |")
    print("|---|---|" + "---|" * (len(TERMS) + 2))
    for seed in (0, 1, 2):
        pick = torch.randperm(len(target[1]), generator=torch.Generator().manual_seed(seed))[:13]
        for name in ("dann", "gh", "ghpp"):
            model = copy.deepcopy(start)
            objective, steps = recording(training_objective(name, {}, model))
            result = fit(
                model,
                objective,
                source=source,
                target_labeled=(target[0][pick], target[1][pick]),
                target_unlabeled=target[0],
                config=TrainConfig(epochs=1, seed=seed, **config),
            )
            means = result.history[-1]
            cells = [f"{means[t]:.3f}" if t in means else "–" for t in TERMS]
            w1 = sorted(step["w1"] for step in steps if "w1" in step)
            quantiles = (w1[len(w1) // 2], w1[int(0.95 * (len(w1) - 1))], w1[-1]) if w1 else ()
            spread = " / ".join(f"{q:.2f}" for q in quantiles) or "–"
            acc = eval_accuracy(model, evaluation, None)
            print(f"| {seed} | {name} | " + " | ".join(cells) + f" | {spread} | {acc:.3f} |")


if __name__ == "__main__":
    main()
