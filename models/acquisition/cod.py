"""COD: cyclic output discrepancy between this cycle's and the previous cycle's model (§4).

    D(x) = ||f(x; w_c) - f(x; w_{c-1})||₂,   f = softmax (default) or logits,   highest first.

The TOD code ranks by ½Σd², a monotone transform of the same norm, so selections are identical.

w_{c-1} is ``ctx.previous``: the outputs of the checkpoint the current one was trained from (a
round's checkpoint's parent in the service; the previous round's network in the simulation). The
paper's cycles are trained to convergence (200 epochs each, the network kept between cycles); with
short rounds the discrepancy mostly shows what the last short job moved. How long a cycle trains
is the training's ``epochs``, not a parameter of the strategy.

Candidates (``subset``): as in the reference code, only a random subset of the unlabeled items is
scored (``SUBSET`` = 25,000 for CIFAR-10/100, the default here; §4.1, §7-8), drawn with
``ctx.generator``; the others are left unscored this round. ``None`` scores every item. A pool not
larger than ``subset`` is scored whole (so the default changes nothing below 25,000 items), and a
subset is never smaller than the budget.

First cycle (ctx.previous is None), ``first_cycle`` (§4.3):
- "random_ref_lowest" (default, code-faithful): the reference is a separately, randomly
  initialised network of the same architecture (a copy of ``ctx.model`` whose layers are all
  re-initialised by ``reset_parameters``, seeded from ``ctx.generator``, in eval mode), compared
  in the same output space, and the LOWEST discrepancy is kept (score = -D, higher still better).
  It needs ``ctx.model`` and ``ctx.inputs`` (the strategy is registered ``needs_model``).
- "init_snapshot_highest" (paper, literal): needs the outputs of the snapshot taken before cycle 1
  as ctx.previous; without them it is an error.
- "random": uniform random items drawn with ctx.generator (the paper's and the code's initial
  labeled pool is random).

Reference: Huang et al., "Semi-Supervised Active Learning with Temporal Output Discrepancy",
ICCV 2021 (https://arxiv.org/abs/2107.14153); code github.com/siyuhuang/TOD (main_TOD.py).
"""

from __future__ import annotations

import copy
from typing import Literal

import torch
from torch import Tensor, nn

from models.acquisition.base import AcquisitionContext, Selection, register_strategy, top_by_score
from models.acquisition.numerics import check_budget, check_choice, upcast
from models.acquisition.params import CodParams
from models.device import module_device
from models.rows import Rows

CodSpace = Literal["softmax", "logits"]
FirstCycle = Literal["random_ref_lowest", "init_snapshot_highest", "random"]
SUBSET = 25_000  # the reference code's SUBSET for CIFAR-10/100 (config/cifar10.py, cifar100.py)


def cod_outputs(logits: Tensor, space: CodSpace) -> Tensor:
    """f(x): softmax(z) or z itself, in float32 or wider. [N, C] -> [N, C]."""
    z = upcast(logits)
    return torch.softmax(z, dim=1) if space == "softmax" else z


def output_distance(current: Tensor, previous: Tensor) -> Tensor:
    """||f_c - f_{c-1}||₂ per row. [N, C] x [N, C] -> [N].

    [0.7, 0.2, 0.1] vs [0.4, 0.4, 0.2] -> 0.374166.
    """
    if current.shape != previous.shape:
        raise ValueError(f"previous outputs {tuple(previous.shape)} do not match {tuple(current.shape)}")
    return (current - previous.to(current)).norm(dim=1)


def candidate_subset(n: int, subset: int | None, generator: torch.Generator) -> Tensor | None:
    """Pool positions of the random candidate subset, ascending; None when every item is scored."""
    if subset is None or n <= subset:
        return None
    return torch.randperm(n, generator=generator)[:subset].sort().values


def random_reference(model: nn.Module, seed: int) -> nn.Module:
    """A freshly initialised network of ``model``'s architecture, eval mode, on ``model``'s device.

    A deep copy whose modules all run ``reset_parameters()`` (PyTorch's default initialisation;
    BatchNorm also resets its running statistics; children before their parents, so a module's own
    reset of its children wins) on the CPU under ``torch.manual_seed(seed)``, so
    the reference is the same on every device. ``model`` is not modified. A parameter or buffer
    that no ``reset_parameters`` covers would keep its trained value, so it is an error.
    """
    device = module_device(model)
    reference = copy.deepcopy(model).to("cpu")
    stale = [
        f"{name}.{p}" if name else p
        for name, module in reference.named_modules()
        if not callable(getattr(module, "reset_parameters", None))
        for p, _ in [*module.named_parameters(recurse=False), *module.named_buffers(recurse=False)]
    ]
    if stale:
        raise ValueError(f"cod cannot re-initialise {stale} (no reset_parameters); use first_cycle='random'")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in reversed(list(reference.modules())):  # children first: a parent's own reset wins
            reset = getattr(module, "reset_parameters", None)
            if callable(reset):
                reset()
    return reference.to(device).eval()


class _Rows:
    """Rows ``index`` of another ``Rows``, read one slice at a time (the subset is never copied)."""

    def __init__(self, rows: Rows, index: Tensor) -> None:
        self.rows, self.index = rows, index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key: slice | Tensor, /) -> Tensor:
        return self.rows[self.index[key]]


def reference_logits(reference: nn.Module, inputs: Rows, index: Tensor | None) -> Tensor:
    """The reference network's logits on ``inputs`` (rows ``index``, or all): a scoring pass
    (``models.inference.predict``: eval mode, batches, float32 on the CPU)."""
    from models.inference import predict  # here: models.inference imports this package

    rows = inputs if index is None else _Rows(inputs, index)
    return predict(reference, rows, features=False).logits


def _check_subset(subset: int | None) -> int | None:
    if subset is None:
        return None
    if isinstance(subset, bool) or not isinstance(subset, int) or subset < 1:
        raise ValueError(f"COD subset must be None or a positive integer, got {subset!r}")
    return subset


def _first_cycle_reference(ctx: AcquisitionContext, index: Tensor | None, n: int) -> Tensor:
    """Logits of a seeded random-init network on the scored candidates (code: a separate ResNet)."""
    if ctx.model is None or ctx.inputs is None:
        raise ValueError("cod first_cycle='random_ref_lowest' needs ctx.model and ctx.inputs")
    if len(ctx.inputs) != n:
        raise ValueError(f"ctx.inputs has {len(ctx.inputs)} items but the pool has {n}")
    seed = int(torch.randint(2**62, (1,), generator=ctx.generator))
    return reference_logits(random_reference(ctx.model, seed), ctx.inputs, index)


@register_strategy(
    "cod",
    needs_model=True,
    needs_previous=True,
    needs_features=False,
    description="Largest change of the outputs since the previous cycle's checkpoint, |f_c(x) - f_c-1(x)|.",
    params=CodParams,
    paper="Huang et al., Semi-Supervised Active Learning with Temporal Output Discrepancy, ICCV 2021",
)
def cod(
    ctx: AcquisitionContext,
    budget: int,
    space: CodSpace = "softmax",
    first_cycle: FirstCycle = "random_ref_lowest",
    subset: int | None = SUBSET,
) -> Selection:
    """Highest output change since the previous cycle, over a random candidate subset; first
    cycle per ``first_cycle``."""
    check_choice("COD space", space, CodSpace)
    check_choice("COD first_cycle", first_cycle, FirstCycle)
    subset = _check_subset(subset)
    n = len(ctx.unlabeled)
    k = check_budget(budget, n)
    if ctx.previous is None and first_cycle == "init_snapshot_highest":
        raise ValueError(
            "cod first_cycle='init_snapshot_highest' needs ctx.previous: the outputs of the model "
            "snapshotted before cycle 1; use 'random_ref_lowest' or 'random' without one"
        )
    if ctx.previous is None and first_cycle == "random":
        draws = torch.rand(n, generator=ctx.generator, dtype=torch.float64)
        return top_by_score(draws, k, {"priority": draws})
    index = candidate_subset(n, None if subset is None else max(subset, k), ctx.generator)
    logits = ctx.unlabeled.logits if index is None else ctx.unlabeled.logits[index]
    f = cod_outputs(logits, space)
    if ctx.previous is not None:
        if len(ctx.previous) != n:
            raise ValueError(f"previous outputs {tuple(ctx.previous.logits.shape)} do not match {n} items")
        before = ctx.previous.logits if index is None else ctx.previous.logits[index]
        score = d = output_distance(f, cod_outputs(before, space))
    else:  # random_ref_lowest
        d = output_distance(f, cod_outputs(_first_cycle_reference(ctx, index, n), space))
        score = -d
    picked = top_by_score(score, k, {"distance": d})
    if index is None:
        return picked
    return Selection(index[picked.indices], picked.scores, picked.components)
