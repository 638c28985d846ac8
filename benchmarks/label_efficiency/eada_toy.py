"""Diagnostic for issue 14: EADA's toy example (ALGORITHMS.md §1.6, paper Fig. 5) run in process.

Not through the service: the models/ functions directly, on the report's toy data (``data.toy``:
sep 2.0, std (1, 0.5), rotation 95°, 500 points per class, one linear layer with bias, Adam lr
0.05, full batch, 3 rounds of 20 labels = 2 % of the 1000-item pool). Two schedules:

- ``report``: what the label-efficiency report runs (benchmarks/label_efficiency/experiments.py,
  ``toy``): a source-only network trained with ce (300 steps, seed 0), then
  :func:`models.simulation.simulate`: per round the strategy picks 20 items and a *fresh* Adam fits
  300 steps; EADA's objective (and its Δ) starts at round 1.
- ``paper``: EADA's Algorithm 1 (and the reference code, ``main.py``): one network and one
  optimizer for the whole run, the method's objective from the first step. For EADA that is Eq. 9
  before any label too (source NLL + γ·L_fea on the whole unlabeled target, Δ from step 1); 300
  steps before the first selection and after each (§1.6), 1,200 in all.

The two halves of the difference are run for EADA as well: ``fea_first`` (L_fea from the first
step, fresh Adam per round) and ``one_adam`` (ce before round 1, one Adam throughout). Error =
1 - accuracy on the rotated eval draw, in %. Per data seed (a fresh toy draw), per run seed
(selection generator, EADA's λ_t draws), then the mean.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/label_efficiency/eada_toy.py   (~2 min, 1 core)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
import data as datasets  # noqa: E402

from models.acquisition import AcquisitionContext, get_strategy  # noqa: E402
from models.inference import predict  # noqa: E402
from models.networks import build_network  # noqa: E402
from models.objectives import Batch, build_objective  # noqa: E402
from models.simulation import derive_seed, eval_accuracy, simulate  # noqa: E402
from models.train import TrainConfig, fit, make_optimizer, train_step, trainable_parameters  # noqa: E402

STEPS, LR, BUDGET, ROUNDS = 300, 0.05, 20, 3
ADAM = TrainConfig(epochs=STEPS, batch_size=1000, lr=LR, optimizer="adam")
METHODS = [("random", "ce"), ("entropy", "ce"), ("badge", "ce"), ("eada", "ce"), ("eada", "eada")]
# schedule -> (EADA's L_fea before round 1, one optimizer for the whole run, steps per phase)
SCHEDULES = {
    "paper": (True, True, (STEPS,) * (ROUNDS + 1)),
    "fea_first": (True, False, (STEPS,) * (ROUNDS + 1)),
    "one_adam": (False, True, (STEPS,) * (ROUNDS + 1)),
    # the reference code's proportions: selections after epochs 10, 12, 14 of 20 (defaults.py)
    "code_steps": (True, True, (300, 60, 60, 180)),
}
EADA_ONLY = ("fea_first", "one_adam")


def toy_data(data_seed: int, **overrides: Any) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The report's toy draw (``data.toy``) for this data seed: source, target pool, eval."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = datasets.toy(Path(tmp), seed=data_seed, **overrides)
        out = {}
        for name, path in paths.items():
            with np.load(path) as z:
                out[name] = (torch.from_numpy(z["x"]), torch.from_numpy(z["y"]).long())
    return out


def bayes_error(data: dict, rotation_deg: float) -> float:
    """Error % of the true boundary on the eval draw: the sign of the un-rotated first coordinate
    (equal class covariances and priors, means (+-sep, 0)), the floor no linear model can beat."""
    rho = np.deg2rad(rotation_deg)
    rot = torch.tensor([[np.cos(rho), -np.sin(rho)], [np.sin(rho), np.cos(rho)]], dtype=torch.float32)
    x, y = data["eval"]
    return 100 * float(((x @ rot)[:, 0] > 0).long().ne(y).float().mean())


def init_network() -> torch.nn.Module:
    """The report's from-scratch network: ``mlp`` with hidden=[] under seed 0 (worker's rule)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return build_network("mlp", input_shape=[2], num_classes=2, hidden=[], dropout=0.0)


def source_only(data: dict) -> torch.nn.Module:
    model = init_network()
    fit(model, build_objective("ce"), source=data["source"], config=replace(ADAM, seed=0))
    return model.eval()


def run_report(data: dict, start: torch.nn.Module, strategy: str, objective: str, seed: int) -> float:
    curve = simulate(
        start,
        source=data["source"],
        target_x=data["target"][0],
        hidden_labels=data["target"][1],
        eval_set=data["eval"],
        strategy=strategy,
        objective=lambda: build_objective(objective),
        schedule=[BUDGET] * ROUNDS,
        config=ADAM,
        seed=seed,
        with_unlabeled=objective == "eada",
    )
    return 100 * (1 - curve.accuracy[-1])


def run_loop(
    data: dict, strategy: str, objective: str, seed: int, fea_first: bool, one_adam: bool, steps: tuple
) -> float:
    """Algorithm 1 on the toy: full-batch steps, ``steps[r]`` after selection r (none before r=0)."""
    model = init_network()
    xs, ys = data["source"]
    xt, yt = data["target"]
    n = len(yt)
    labeled = torch.zeros(n, dtype=torch.bool)
    eada = objective == "eada"
    # before round 1 the report trains ce on the source only; Algorithm 1 trains Eq. 9 (EADA)
    obj = build_objective("eada", seed=seed) if eada and fea_first else build_objective("ce")
    optimizer = make_optimizer(trainable_parameters(model, obj), ADAM)
    for r in range(ROUNDS + 1):
        if r > 0:
            outputs = predict(model, xt)
            unl = torch.nonzero(~labeled).squeeze(1)
            lab = torch.nonzero(labeled).squeeze(1)
            ctx = AcquisitionContext(
                unlabeled=outputs.subset(unl),
                generator=torch.Generator().manual_seed(derive_seed(seed, r, "select")),
                labeled_features=outputs.features[lab] if len(lab) else None,
                n_total=n,
            )
            labeled[unl[get_strategy(strategy).fn(ctx, BUDGET).indices]] = True
            if eada and not fea_first and r == 1:
                obj = build_objective("eada", seed=seed)  # Δ starts at round 1, as in the report
            if not one_adam:
                optimizer = make_optimizer(trainable_parameters(model, obj), ADAM)
        have, rest = torch.nonzero(labeled).squeeze(1), torch.nonzero(~labeled).squeeze(1)
        batch = Batch(
            source=(xs, ys),
            target_labeled=(xt[have], yt[have]) if len(have) else None,
            target_unlabeled=xt[rest] if eada and (r > 0 or fea_first) else None,
        )
        params = trainable_parameters(model, obj)
        model.train()
        for _ in range(steps[r]):
            train_step(model, obj, optimizer, params, batch)
        model.eval()
    return 100 * (1 - eval_accuracy(model, data["eval"], None))


def fmt(values: Iterable[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--schedules", nargs="+", default=["report", *SCHEDULES], choices=["report", *SCHEDULES])
    p.add_argument("--sep", type=float, default=datasets.TOY["sep"])
    p.add_argument("--std", type=float, nargs=2, default=datasets.TOY["std"])
    p.add_argument("--rotation", type=float, default=datasets.TOY["rotation_deg"])
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    toy = {"sep": args.sep, "std": tuple(args.std), "rotation_deg": args.rotation}
    print(f"toy {toy}, data seeds {args.data_seeds}, run seeds {args.seeds}; target error %\n")
    rows: dict[tuple[str, str], list[list[float]]] = {}
    for ds in args.data_seeds:
        data = toy_data(ds, **toy)
        start = source_only(data)
        rows.setdefault(("true boundary (Bayes floor)", "-"), []).append([bayes_error(data, args.rotation)])
        source_error = 100 * (1 - eval_accuracy(start, data["eval"], None))
        rows.setdefault(("source only", "-"), []).append([source_error])
        for strategy, objective in METHODS:
            for sched in args.schedules:
                if sched in EADA_ONLY and objective != "eada":
                    continue
                if sched == "report":
                    errs = [run_report(data, start, strategy, objective, s) for s in args.seeds]
                else:
                    fea, one, steps = SCHEDULES[sched]
                    errs = [run_loop(data, strategy, objective, s, fea, one, steps) for s in args.seeds]
                rows.setdefault((f"{strategy} + {objective}", sched), []).append(errs)
    print("| method | schedule | " + " | ".join(f"data {ds}" for ds in args.data_seeds) + " | mean |")
    print("|---|---|" + "---|" * (len(args.data_seeds) + 1))
    for (method, sched), per_data in rows.items():
        cells = [fmt(errs) for errs in per_data]
        mean = float(np.mean([e for errs in per_data for e in errs]))
        print(f"| {method} | {sched} | " + " | ".join(cells) + f" | **{mean:.2f}** |")


if __name__ == "__main__":
    main()
