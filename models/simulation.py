"""Simulated active learning: the real round loop with an oracle that holds hidden labels.

One run (:func:`simulate`) starts from a copy of a network and repeats, once per entry of the
budget schedule ``[b_1, ..., b_R]``:

1. predict with the current network on the target pool (eval mode, like a round's scoring);
2. build the :class:`AcquisitionContext` exactly as a real round does (``workers/scoring.py``):
   the outputs on the still-unlabeled items in pool order, the features of the labeled items
   (pool order), for ``needs_previous`` strategies the previous round's network's outputs on the
   same unlabeled items, ``n_total`` = pool size, the network and the unlabeled inputs only for
   ``needs_model`` strategies, and a seeded generator;
3. let the strategy select ``b_r`` items (it sees the context, never the oracle);
4. reveal the oracle's labels for the selected items only;
5. fit the network further on source + labeled target (+ unlabeled target), like a
   ``POST /projects/{id}/train`` from the latest checkpoint: a new objective that continues the
   state the previous round's objective left (EADA's Delta, TOD's EMA, DANN's discriminator), as
   a training job restores the state its start checkpoint saved;
6. measure accuracy on the eval split.

Round 0 is the start network with 0 labels, so a curve has ``R + 1`` points. The pool order is
the caller's (the worker passes items sorted by id, the canonical order of a real round).

:func:`summarize` turns the curves of several seeds into mean, spread and area under the curve;
:func:`plot` draws them (matplotlib, imported only when called). Pure PyTorch: no database.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import torch
from torch import Tensor, nn

from models.acquisition import AcquisitionContext, PoolOutputs, get_strategy
from models.acquisition.auto import BanditStep, rewarded
from models.evaluate import accuracy
from models.inference import predict
from models.label_free import RoundWatch
from models.objectives.base import Objective
from models.train import TrainConfig, fit

Labeled = tuple[Tensor, Tensor]
ProgressFn = Callable[[float, str], None]
SELECT_SHARE = 0.2  # share of a round's progress given to prediction + selection (the rest: fit)


@dataclass
class Curve:
    """One run's learning curve.

    labels[r]:   target labels bought after round r (labels[0] = 0, the start network).
    accuracy[r]: eval accuracy after round r.
    selected[r - 1]: pool indices revealed in round r, best first (len(selected) = R).
    kappa[r]:    Cohen's kappa between the networks after rounds r - 1 and r on the stop set
                 (None for round 0), the stopping signal (models/label_free.py).
    atc[r], average_confidence[r]: eval accuracy after round r estimated without the eval labels
                 (ATC calibrated on the source sample, None without source; the mean max-softmax).
    """

    labels: list[int]
    accuracy: list[float]
    selected: list[list[int]]
    seed: int = 0
    choices: list[dict[str, Any]] = field(default_factory=list)  # per round: an adaptive strategy's record
    kappa: list[float | None] = field(default_factory=list)
    atc: list[float | None] = field(default_factory=list)
    average_confidence: list[float] = field(default_factory=list)

    def observe(self, seen: Mapping[str, float | None]) -> None:
        self.kappa.append(seen["kappa"])
        self.atc.append(seen["atc"])
        self.average_confidence.append(float(seen["average_confidence"] or 0.0))


@dataclass
class Summary:
    """Curves of several seeds (same schedule) reduced per round; see :func:`summarize`."""

    labels: list[int]
    mean: list[float]
    std: list[float]
    per_seed: list[list[float]]
    auc: float
    auc_std: float
    per_seed_auc: list[float] = field(default_factory=list)


class Oracle:
    """Holds the hidden labels of the pool; :meth:`reveal` is the only way to read them.

    The simulation keeps the oracle to itself: strategies receive an AcquisitionContext built
    from network outputs and inputs only, and training sees revealed labels only.
    """

    __slots__ = ("_labels",)

    def __init__(self, labels: Tensor) -> None:
        if labels.dim() != 1:
            raise ValueError(f"hidden labels must be [N], got {tuple(labels.shape)}")
        self._labels = labels.detach().to("cpu", torch.long).clone()

    def __len__(self) -> int:
        return int(self._labels.shape[0])

    def reveal(self, index: Tensor) -> Tensor:
        """The labels of the pool positions ``index`` (a copy)."""
        return self._labels[index].clone()


def derive_seed(seed: int, round_number: int, stream: str) -> int:
    """A stable 62-bit seed for one stream (selection, training) of one round of one run."""
    digest = hashlib.sha256(f"{seed}:{round_number}:{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2


def seeded_objective_params(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """An objective's parameters for the run of one simulation seed: a ``seed`` of its own (EADA's
    λ_t draws; GH/GH++ aligning with EADA) is offset by the run's seed, so the seeds of a simulation
    draw different λ_t as they draw different selections and batches; seed 0 keeps the parameters.

    {"seed": 0} -> run seed 2 -> {"seed": 2}; {"seed": 5} -> {"seed": 7}; GH with align=eada and
    no seed (default 0) -> {"seed": 2}; a seed left unset for another alignment stays unset.
    """
    out = dict(params)
    if out.get("seed") is not None:
        out["seed"] = int(out["seed"]) + seed
    elif "seed" in out and out.get("align") == "eada":
        out["seed"] = seed
    return out


def check_schedule(schedule: Sequence[int], pool_size: int) -> list[int]:
    """A budget schedule is a non-empty list of positive ints that the pool can pay for."""
    out = [int(b) for b in schedule]
    if not out or any(b < 1 for b in out):
        raise ValueError(f"a schedule is a non-empty list of positive budgets, got {list(schedule)}")
    if sum(out) > pool_size:
        raise ValueError(f"the schedule buys {sum(out)} labels but the pool has only {pool_size} items")
    return out


def stop_and_calibration(
    target_x: Tensor, source: Labeled | None, seed: int, size: int
) -> tuple[Tensor, Labeled | None]:
    """A run's fixed stop set (``size`` pool items drawn with the run's seed) and ATC's
    calibration data (an evenly spread sample of at most ``size`` source items, or None)."""
    n = int(target_x.shape[0])
    g = torch.Generator().manual_seed(derive_seed(seed, 0, "stop") % (2**63))
    stop = target_x[torch.randperm(n, generator=g)[: min(size, n)].sort().values]
    if source is None or len(source[1]) == 0:
        return stop, None
    step = -(-len(source[1]) // size)
    return stop, (source[0][::step], source[1][::step])


def eval_accuracy(model: nn.Module, eval_set: Labeled, device: torch.device | None) -> float:
    return accuracy(predict(model, eval_set[0], device=device).logits, eval_set[1])


def simulate(
    network: nn.Module,
    *,
    source: Labeled | None,
    target_x: Tensor,
    hidden_labels: Tensor,
    eval_set: Labeled,
    strategy: str,
    params: Mapping[str, Any] | None = None,
    objective: Callable[[], Objective],
    schedule: Sequence[int],
    config: TrainConfig,
    seed: int = 0,
    device: torch.device | str | None = None,
    with_unlabeled: bool = True,
    previous_network: nn.Module | None = None,
    objective_state: Mapping[str, Tensor] | None = None,
    carry_objective_state: bool = True,
    progress: ProgressFn | None = None,
    stop_set_size: int = 2000,
) -> Curve:
    """One simulated active-learning run; returns its :class:`Curve`. ``network`` is not modified.

    source: (x, y) labeled source items or None. target_x: [N, ...] the target train pool, in
    canonical order; hidden_labels: [N] its oracle. eval_set: (x, y) the target eval split.
    strategy/params: a registered strategy and its (validated) parameters. objective: returns a
    fresh Objective for each round's fit. schedule: labels to buy per round. config: each round's
    fit (its seed is replaced by one derived from ``seed`` and the round). with_unlabeled: pass the
    still-unlabeled target items to fit (objectives that align domains). previous_network: the
    start network's parent, whose outputs a real first round gives ``needs_previous`` strategies
    (COD); later rounds use the previous round's network. objective_state: the state the start
    network's training left to its objective (loaded into round 1's objective), or None.
    carry_objective_state: each round's objective starts from the previous round's state (False:
    every round's objective starts fresh). progress(fraction, message). stop_set_size: pool items
    in the stop set whose predictions give each round's kappa (and source items calibrating ATC).
    """
    n = int(target_x.shape[0])
    oracle = Oracle(hidden_labels)
    if len(oracle) != n:
        raise ValueError(f"{n} pool items but {len(oracle)} hidden labels")
    budgets = check_schedule(schedule, n)
    info = get_strategy(strategy)
    params = dict(params or {})
    dev = torch.device(device) if device is not None else None
    model = copy.deepcopy(network)
    if dev is not None:
        model.to(dev)
    model.eval()
    report = progress or (lambda _f, _m: None)
    rounds = len(budgets)

    labeled = torch.zeros(n, dtype=torch.bool)
    revealed = torch.full((n,), -1, dtype=torch.long)  # -1 until the oracle answered
    carried = None if objective_state is None else _detached(objective_state)
    previous: PoolOutputs | None = None
    steps: list[BanditStep] = []  # adaptive strategies (auto): the run's rounds of it
    bought_q = torch.zeros(n, dtype=torch.float64)  # q_i of the items they bought (0: not bought)
    if info.needs_previous and previous_network is not None:
        previous = predict(previous_network, target_x, device=dev)
    curve = Curve(labels=[0], accuracy=[eval_accuracy(model, eval_set, dev)], selected=[], seed=seed)
    stop_x, calibration = stop_and_calibration(target_x, source, seed, stop_set_size)
    watch = RoundWatch(stop_x, eval_set[0], calibration, int(hidden_labels.max()) + 1, dev)
    curve.observe(watch.observe(model))
    report(0.0, "round 0: start network evaluated")

    for r, budget in enumerate(budgets, start=1):
        base = (r - 1) / rounds
        outputs = predict(model, target_x, device=dev)
        unlabeled_idx = torch.nonzero(~labeled).squeeze(1)
        labeled_idx = torch.nonzero(labeled).squeeze(1)
        if info.adaptive:
            mine = torch.nonzero(bought_q > 0).squeeze(1)
            correct = outputs.logits[mine].argmax(dim=-1).cpu() == revealed[mine]
            steps = rewarded(steps, correct, bought_q[mine])
        ctx = AcquisitionContext(
            unlabeled=outputs.subset(unlabeled_idx),
            generator=torch.Generator().manual_seed(derive_seed(seed, r, "select")),
            labeled_features=outputs.features[labeled_idx] if len(labeled_idx) else None,
            previous=previous.subset(unlabeled_idx) if info.needs_previous and previous is not None else None,
            n_total=n,
            bandit=list(steps) if info.adaptive else None,
            model=copy.deepcopy(model).eval() if info.needs_model else None,
            inputs=target_x[unlabeled_idx].clone() if info.needs_model else None,
            progress=lambda f, base=base, r=r: report(
                base + SELECT_SHARE * f / rounds, f"round {r}/{rounds}: selecting"
            ),
        )
        selection = info.select(ctx, budget, params)
        del ctx
        picked = _check_selection(selection.indices, len(unlabeled_idx), budget, strategy)
        chosen = unlabeled_idx[picked]
        labeled[chosen] = True
        revealed[chosen] = oracle.reveal(chosen)
        curve.selected.append(chosen.tolist())
        curve.choices.append(dict(selection.record))
        if info.adaptive:
            steps.append(BanditStep(selection.record["arm"], float(selection.record["probability"])))
            bought_q[chosen] = selection.components["mixture_probability"].detach().cpu().double()
        previous = outputs  # the next round's "previous checkpoint" is this round's network

        have = torch.nonzero(labeled).squeeze(1)
        rest = torch.nonzero(~labeled).squeeze(1)
        round_objective = objective()
        if carried is not None:
            round_objective.load_state_dict(carried)
        fit(
            model,
            round_objective,
            source=source,
            target_labeled=(target_x[have], revealed[have]),
            target_unlabeled=target_x[rest] if with_unlabeled and len(rest) else None,
            config=replace(config, seed=derive_seed(seed, r, "train") % (2**31)),
            device=dev,
            progress=lambda rep, base=base, r=r: report(
                base + (SELECT_SHARE + (1 - SELECT_SHARE) * float(rep.get("fraction", 0.0))) / rounds,
                f"round {r}/{rounds}: training epoch {rep.get('epoch')}/{rep.get('epochs')}",
            ),
        )
        model.eval()
        carried = _detached(round_objective.state_dict()) if carry_objective_state else None
        curve.labels.append(int(labeled.sum()))
        curve.accuracy.append(eval_accuracy(model, eval_set, dev))
        curve.observe(watch.observe(model))
        report(
            r / rounds, f"round {r}/{rounds}: {curve.labels[-1]} labels, accuracy {curve.accuracy[-1]:.4f}"
        )
    return curve


def _detached(state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in state.items()}


def _check_selection(indices: Tensor, pool: int, budget: int, strategy: str) -> Tensor:
    picked = indices.detach().to("cpu", torch.long).reshape(-1)
    if len(picked) == 0 or len(picked) > budget:
        raise ValueError(f"strategy {strategy!r} selected {len(picked)} items for a budget of {budget}")
    if int(picked.min()) < 0 or int(picked.max()) >= pool or len(torch.unique(picked)) != len(picked):
        raise ValueError(f"strategy {strategy!r} returned invalid or repeated pool positions")
    return picked


def area_under_curve(labels: Sequence[float], accuracy: Sequence[float]) -> float:
    """Normalized area under the learning curve.

        AUC = 1 / (L_R - L_0) * sum_{r=1..R} (L_r - L_{r-1}) * (a_r + a_{r-1}) / 2

    the trapezoid rule over labels bought L, divided by the label range: the mean accuracy over the
    labels bought, in [0, 1] like accuracy itself, comparable between schedules of the same range.
    Example: L = [0, 10, 30], a = [0.5, 0.7, 0.8] -> (10 * 0.6 + 20 * 0.75) / 30 = 0.7. A single
    point (or a zero range) gives its accuracy.
    """
    if len(labels) != len(accuracy) or not labels:
        raise ValueError("labels and accuracy must be non-empty and of the same length")
    span = float(labels[-1]) - float(labels[0])
    if span <= 0:
        return float(accuracy[-1])
    area = sum(
        (float(labels[i]) - float(labels[i - 1])) * (float(accuracy[i]) + float(accuracy[i - 1])) / 2.0
        for i in range(1, len(labels))
    )
    return area / span


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def summarize(curves: Sequence[Curve]) -> Summary:
    """Mean and standard deviation of accuracy per round over the curves (one per seed), and the
    AUC (:func:`area_under_curve`) as the mean and standard deviation of the per-seed AUCs (equal
    to the AUC of the mean curve, the rule being linear). Standard deviations are population ones
    (divide by the number of seeds: 0 for a single seed). All curves must share their labels."""
    if not curves:
        raise ValueError("summarize needs at least one curve")
    labels = list(curves[0].labels)
    for c in curves:
        if list(c.labels) != labels or len(c.accuracy) != len(labels):
            raise ValueError("every curve must have the same labels bought per round")
    per_seed = [[float(a) for a in c.accuracy] for c in curves]
    stats = [_mean_std([row[i] for row in per_seed]) for i in range(len(labels))]
    aucs = [area_under_curve(labels, row) for row in per_seed]
    auc, auc_std = _mean_std(aucs)
    return Summary(
        labels=labels,
        mean=[m for m, _ in stats],
        std=[s for _, s in stats],
        per_seed=per_seed,
        auc=auc,
        auc_std=auc_std,
        per_seed_auc=aucs,
    )


def class_counts(curve: Curve, oracle_labels: Tensor, num_classes: int) -> list[list[int]]:
    """What a run bought, per round: [R][num_classes] counts of the true classes of the items
    revealed in each round (read after the run, for reporting class balance; never an input)."""
    bought = [oracle_labels[torch.as_tensor(picked, dtype=torch.long)] for picked in curve.selected]
    return [torch.bincount(y, minlength=num_classes).tolist() for y in bought]


def plot(results: Sequence[tuple[str, Summary]], path: str | Path | IO[bytes], *, title: str = "") -> None:
    """Write a PNG: per run, the mean accuracy curve over labels bought with a ±1 std band.

    results: (legend name, summary) pairs. Uses matplotlib's Agg canvas directly (no pyplot,
    no global backend switch), imported here so that importing models/ never loads matplotlib.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for name, s in results:
        low = [m - d for m, d in zip(s.mean, s.std, strict=True)]
        high = [m + d for m, d in zip(s.mean, s.std, strict=True)]
        (line,) = ax.plot(s.labels, s.mean, marker="o", label=f"{name} (AUC {s.auc:.3f} ± {s.auc_std:.3f})")
        ax.fill_between(s.labels, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("target labels bought")
    ax.set_ylabel("eval accuracy")
    ax.set_title(title or "simulated active learning")
    ax.grid(True, alpha=0.3)
    if results:
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, format="png")
