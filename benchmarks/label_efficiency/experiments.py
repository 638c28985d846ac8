"""Datasets and experiments of the label-efficiency report: what runs where.

Per dataset (:class:`Dataset`): the network, the source-only training, the simulation training
after each round, the share of the target pool bought per round and the number of rounds. Per
dataset, the simulate jobs (:class:`Experiment`, built by :func:`make_experiments`):

- ``all``: one round that buys the whole target pool (the reference ceiling);
- ``grid`` (or ``grid_1``, ``grid_2``): the five ce strategies, EADA + eada and COD + TOD, one
  budget per round (:data:`GRID_RUNS`);
- ``da_1``, ``da_2``: the best ce strategy of the grid with ce, DANN, GH and GH++ (filled in once
  the grid has finished);
- ``single_5``, ``single_10``: FORGE's single-round protocol (all labels bought at once);
- ``check_5`` (text data): a separate 5-round run, which must equal the 10-round one's start;
- ``diag_1``, ``diag_2`` (MNIST): COD + TOD taken apart;
- ``toy``: EADA's toy example (:data:`TOY_RUNS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import data as datasets


@dataclass
class Dataset:
    key: str
    title: str
    classes: list[str]
    input_shape: list[int]
    architecture: str
    arch_args: dict[str, Any]
    build: Any  # () -> {"source", "target", "eval"} paths
    source_train: dict[str, Any]  # POST /train config of the source-only network
    sim: dict[str, Any]  # simulate config: epochs, batch_size, lr, optimizer
    pool_fraction_per_round: float  # share of the target pool bought per round
    rounds: int  # rounds of the main grid
    short_rounds: int | None  # rounds read off the same curves as the short budget (None: no)
    single_round: bool  # FORGE-style single-round comparison
    grid_split: list[list[str]] | None = None  # the grid's runs split into jobs (by run key)
    notes: list[str] = field(default_factory=list)


CE_STRATEGIES = ["random", "entropy", "badge", "coreset", "expected_gradnorm"]
GRID_RUNS: dict[str, dict[str, Any]] = {
    "random+ce": {"strategy": "random", "objective": "ce"},
    "entropy+ce": {"strategy": "entropy", "objective": "ce"},
    "badge+ce": {"strategy": "badge", "objective": "ce"},
    "coreset+ce": {"strategy": "coreset", "objective": "ce"},
    "expected_gradnorm+ce": {"strategy": "expected_gradnorm", "objective": "ce"},
    "eada+eada": {"strategy": "eada", "objective": "eada"},
    "cod+tod": {"strategy": "cod", "objective": "tod"},
    "auto+ce": {"strategy": "auto", "objective": "ce"},  # a bandit over random, entropy, badge, coreset
}
SINGLE_RUNS = ["random", "coreset", "badge", "forge"]
DA_OBJECTIVES = ["ce", "dann", "gh", "ghpp"]
DA_SPLIT = [["ce", "dann"], ["gh", "ghpp"]]  # two jobs, one per server
TOY_RUNS: dict[str, dict[str, Any]] = {
    "random+ce": {"strategy": "random", "objective": "ce"},
    "badge+ce": {"strategy": "badge", "objective": "ce"},
    "eada+eada": {"strategy": "eada", "objective": "eada"},
    "eada+ce": {"strategy": "eada", "objective": "ce"},
}


def make_datasets(quick: bool) -> list[Dataset]:
    mnist = Dataset(
        key="mnist_digits",
        title="MNIST-10k -> scikit-learn digits (LeNet from scratch)",
        classes=[str(d) for d in range(10)],
        input_shape=[1, 28, 28],
        architecture="lenet",
        arch_args={"num_classes": 10, "in_channels": 1, "input_size": 28},
        build=datasets.mnist_digits,
        source_train={"epochs": 2, "batch_size": 128, "lr": 1e-3, "optimizer": "adam", "seed": 0},
        sim={"epochs": 1, "batch_size": 128, "lr": 1e-3, "optimizer": "adam"},
        pool_fraction_per_round=0.01,
        rounds=10,
        short_rounds=5,
        single_round=True,
        grid_split=[
            ["random+ce", "entropy+ce", "badge+ce", "expected_gradnorm+ce"],
            ["coreset+ce", "eada+eada", "cod+tod", "auto+ce"],
        ],
    )
    text = Dataset(
        key="amazon_yelp",
        title="UCI sentences Amazon -> Yelp (MiniLM embeddings, MLP 384-256-2 from scratch)",
        classes=["negative", "positive"],
        input_shape=[384],
        architecture="mlp",
        arch_args={"hidden": [256], "dropout": 0.0},
        build=datasets.amazon_yelp,
        source_train={"epochs": 20, "batch_size": 64, "lr": 1e-3, "optimizer": "adam", "seed": 0},
        sim={"epochs": 5, "batch_size": 64, "lr": 1e-3, "optimizer": "adam"},
        pool_fraction_per_round=0.01,
        rounds=10,
        short_rounds=5,
        single_round=True,
    )
    toy = Dataset(
        key="toy",
        title="EADA toy example (ALGORITHMS.md §1.6): rotated 2-d Gaussians, one linear layer",
        classes=["0", "1"],
        input_shape=[2],
        architecture="mlp",
        arch_args={"hidden": [], "dropout": 0.0},
        build=datasets.toy,
        # full batch: 1000 source items, batch 1000 -> one step per epoch: 300 Adam steps (lr 0.05)
        source_train={"epochs": 300, "batch_size": 1000, "lr": 0.05, "optimizer": "adam", "seed": 0},
        sim={"epochs": 300, "batch_size": 1000, "lr": 0.05, "optimizer": "adam"},
        pool_fraction_per_round=0.02,
        rounds=3,
        short_rounds=None,
        single_round=False,
    )
    out = [mnist, text, toy]
    if quick:
        for d in out:
            d.rounds = 2
            d.short_rounds = 1 if d.short_rounds else None
            d.sim["epochs"] = 1 if d.key != "toy" else 30
            d.source_train["epochs"] = 1 if d.key != "toy" else 30
    return out


@dataclass
class Experiment:
    dataset: str
    name: str  # grid | grid_1 | grid_2 | single_5 | single_10 | da | check_5 | toy
    runs: list[dict[str, Any]]  # the API's runs
    labels: list[str]  # run keys, same order
    schedule: list[int]
    deps: list[str] = field(default_factory=list)  # experiment ids that must finish first
    cost: float = 1.0  # rough relative cost, to start the longest first

    @property
    def id(self) -> str:
        return f"{self.dataset}/{self.name}"


def _run(strategy: str, objective: str) -> dict[str, Any]:
    return {"strategy": strategy, "params": {}, "objective": objective, "objective_params": {}}


def per_round_budget(d: Dataset, pool: int) -> int:
    return max(1, math.ceil(round(d.pool_fraction_per_round * pool, 9)))


def make_experiments(d: Dataset, pool: int) -> list[Experiment]:
    """The experiments of one dataset (the DA one is completed once the grid has finished)."""
    b = per_round_budget(d, pool)
    step_cost = {"mnist_digits": 10.0, "amazon_yelp": 0.3, "toy": 0.3}[d.key]
    # reference ceiling: one round buys the whole pool, then the same training as any round
    exps = [Experiment(d.key, "all", [_run("random", "ce")], ["random+ce"], [pool], cost=step_cost * 1.5)]
    if d.key == "toy":
        return [
            *exps,
            Experiment(
                d.key,
                "toy",
                [_run(**r) for r in TOY_RUNS.values()],
                list(TOY_RUNS),
                [b] * d.rounds,
                cost=step_cost,
            ),
        ]
    groups = d.grid_split or [list(GRID_RUNS)]
    grid_ids = []
    for i, keys in enumerate(groups, start=1):
        name = "grid" if len(groups) == 1 else f"grid_{i}"
        exps.append(
            Experiment(
                d.key,
                name,
                [_run(**GRID_RUNS[k]) for k in keys],
                keys,
                [b] * d.rounds,
                cost=step_cost * d.rounds * len(keys) * (1.6 if "expected_gradnorm+ce" in keys else 1.0),
            )
        )
        grid_ids.append(exps[-1].id)
    for i, objectives in enumerate(DA_SPLIT, start=1):
        exps.append(
            Experiment(
                d.key,
                f"da_{i}",
                [],  # filled in with the best ce strategy once the grid is done
                list(objectives),  # the objectives, until then
                [b] * d.rounds,
                deps=grid_ids,
                cost=step_cost * d.rounds * len(objectives) * 3,
            )
        )
    if d.single_round and d.short_rounds:
        for rounds in (d.short_rounds, d.rounds):
            exps.append(
                Experiment(
                    d.key,
                    f"single_{rounds}",
                    [_run(s, "ce") for s in SINGLE_RUNS],
                    [f"{s}+ce" for s in SINGLE_RUNS],
                    [b * rounds],
                    cost=step_cost * len(SINGLE_RUNS),
                )
            )
    if d.short_rounds and d.key == "amazon_yelp":
        # determinism check: a separate 5-round run must equal the first 5 rounds of the 10-round one
        keys = ["random+ce", "eada+eada"]
        exps.append(
            Experiment(
                d.key,
                f"check_{d.short_rounds}",
                [_run(**GRID_RUNS[k]) for k in keys],
                keys,
                [b] * d.short_rounds,
                cost=step_cost * d.short_rounds * 2,
            )
        )
    if d.key == "mnist_digits":
        # COD + TOD taken apart: the selection with plain ce, the objective with random selection
        for i, (strategy, objective) in enumerate((("cod", "ce"), ("random", "tod")), start=1):
            exps.append(
                Experiment(
                    d.key,
                    f"diag_{i}",
                    [_run(strategy, objective)],
                    [f"{strategy}+{objective}"],
                    [b] * d.rounds,
                    cost=step_cost * d.rounds * 1.5,
                )
            )
    return exps


def _scratch_args(d: Dataset) -> dict[str, Any]:
    """The arguments the worker filled in for the from-scratch network (workers/tasks/training.py)."""
    args = {"num_classes": len(d.classes), **d.arch_args}
    if d.architecture == "mlp":
        args.setdefault("input_shape", d.input_shape)
    return args


def _exp_order(name: str) -> tuple[int, int, str]:
    """Sort key of an experiment name in the report: by kind (grid, da, diag, ...), then number."""
    kinds = ["grid", "da", "diag", "single", "check", "all", "toy"]
    kind, _, num = name.partition("_")
    return (kinds.index(kind) if kind in kinds else 99, int(num) if num.isdigit() else 0, name)
