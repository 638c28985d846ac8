"""The one signature every acquisition strategy has, its registry, and deterministic top-k.

A strategy receives an :class:`AcquisitionContext` (everything a round may need, computed once
per checkpoint and pool) and a budget, and returns a :class:`Selection`: pool positions, best
first, each with its score and the score's named parts. Higher score always means more
informative (ALGORITHMS.md §0.3); ties go to the lower pool index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from models.params import NoParams, Params, validated
from models.rows import Rows


@dataclass(frozen=True)
class PoolOutputs:
    """Outputs of one checkpoint on one pool, in canonical pool order.

    logits: [N, C] float32. features: [N, D] float32 (penultimate, the input of the last linear);
    [N, 0] when they were not computed (a pass for strategies with ``needs_features=False``).
    """

    logits: Tensor
    features: Tensor

    def __len__(self) -> int:
        return int(self.logits.shape[0])

    def subset(self, index: Tensor) -> PoolOutputs:
        return PoolOutputs(self.logits[index], self.features[index])


@dataclass
class AcquisitionContext:
    """What a strategy may read. Unlabeled pool order is the canonical order (sorted item ids).

    unlabeled:          outputs of the current checkpoint on the unlabeled target pool.
    labeled_features:   [M, D] features of already labeled target items (CoreSet's initial centres).
    previous:           outputs of the previous checkpoint on the same unlabeled items (COD), or None.
    n_total:            size of the whole target train pool, fixed at project start (EADA §1.3).
    model / inputs:     the network (eval mode, on its device) and the unlabeled inputs [N, ...]
                        (a tensor or ``Rows`` read on demand), only for strategies that need
                        per-sample gradients; None otherwise.
    generator:          seeded CPU generator; the only source of randomness a strategy may use.
    progress:           optional callback(done_fraction) for long selections.
    bandit:             for ``adaptive`` strategies (auto): the run's earlier rounds of it, oldest
                        first, as ``auto.BanditStep`` (arm, probability, reward measured since).
    """

    unlabeled: PoolOutputs
    generator: torch.Generator
    labeled_features: Tensor | None = None
    previous: PoolOutputs | None = None
    n_total: int | None = None
    model: nn.Module | None = None
    inputs: Rows | None = None
    progress: Callable[[float], None] | None = None
    bandit: Sequence[Any] | None = None


@dataclass
class Selection:
    """indices: [k] long pool positions, best first. scores: [k]. components: name -> [k].
    record: what an adaptive strategy decided and why (JSON-ready), kept with the round."""

    indices: Tensor
    scores: Tensor
    components: dict[str, Tensor] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        k = int(self.indices.shape[0])
        if self.scores.shape != (k,):
            raise ValueError(f"scores must have shape ({k},), got {tuple(self.scores.shape)}")
        for name, value in self.components.items():
            if value.shape != (k,):
                raise ValueError(f"component {name!r} must have shape ({k},)")


class Strategy(Protocol):
    def __call__(self, ctx: AcquisitionContext, budget: int, **params: Any) -> Selection: ...


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    fn: Strategy
    description: str
    params: type[Params] = NoParams  # its parameters: published as a JSON schema, checked before each call
    paper: str = ""
    needs_model: bool = False  # per-sample gradients: the worker must pass model and inputs
    needs_previous: bool = False  # COD: outputs of the previous checkpoint
    needs_features: bool = True  # False: reads logits only, so the scoring pass may skip features
    adaptive: bool = False  # learns across rounds: reads ctx.bandit, returns a record (auto)

    def select(self, ctx: AcquisitionContext, budget: int, params: dict[str, Any] | None = None) -> Selection:
        """Run the strategy with ``params`` checked by its parameter model first (defaults filled
        in; pydantic.ValidationError for bad ones), whoever checked them before."""
        return self.fn(ctx, budget, **validated(self.params, params))


_REGISTRY: dict[str, StrategyInfo] = {}


def register_strategy(
    name: str,
    *,
    description: str,
    params: type[Params] = NoParams,
    paper: str = "",
    needs_model: bool = False,
    needs_previous: bool = False,
    needs_features: bool = True,
    adaptive: bool = False,
) -> Callable[[Strategy], Strategy]:
    """Decorator: register ``fn`` under ``name`` with what the catalog shows of it (a description,
    the pydantic model of its keyword parameters, its paper); a name can be registered once.
    Plugins register the same way (models/plugins.py)."""

    def deco(fn: Strategy) -> Strategy:
        if name in _REGISTRY:
            raise ValueError(f"strategy {name!r} is already registered")
        _REGISTRY[name] = StrategyInfo(
            name, fn, description, params, paper, needs_model, needs_previous, needs_features, adaptive
        )
        return fn

    return deco


def get_strategy(name: str) -> StrategyInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown strategy {name!r}; known: {sorted(_REGISTRY)}") from None


def list_strategies() -> list[str]:
    return sorted(_REGISTRY)


def select_topk(scores: Tensor, k: int, *, nan: str = "raise") -> Tensor:
    """First k positions of a stable descending sort: highest first, ties by lower index.

    scores: [N]. nan="raise" refuses NaN scores; nan="lowest" ranks them last.
    """
    if scores.dim() != 1:
        raise ValueError("scores must be one-dimensional")
    if torch.isnan(scores).any():
        if nan == "raise":
            raise ValueError("NaN in acquisition scores")
        scores = torch.where(torch.isnan(scores), torch.full_like(scores, -torch.inf), scores)
    n = int(scores.shape[0])
    k = min(int(k), n)
    if k == 0 or 8 * k > n:
        return torch.argsort(-scores, stable=True)[:k]
    # Only the entries >= the k-th largest value can be among the first k (ties at that value
    # included); sorting just those, in pool order, gives the same first k as the full sort.
    kth = torch.topk(scores, k, sorted=False).values.min()
    candidates = torch.nonzero(scores >= kth).squeeze(1)
    return candidates[torch.argsort(-scores[candidates], stable=True)[:k]]


def top_set(scores: Tensor, k: int) -> Tensor:
    """The set :func:`select_topk` picks, in pool order (ascending indices), without sorting it.

    The k-th largest value by selection; every entry above it, and the lowest-index entries equal
    to it, make k. scores: [N] without NaN -> [min(k, N)] long.
    """
    n, k = int(scores.shape[0]), min(int(k), int(scores.shape[0]))
    if torch.isnan(scores).any():
        raise ValueError("NaN in acquisition scores")
    if k in (0, n):
        return torch.arange(k, device=scores.device)
    kth = torch.kthvalue(scores, n - k + 1).values
    keep = scores > kth
    ties = torch.nonzero(scores == kth).squeeze(1)[: k - int(keep.sum())]
    keep[ties] = True
    return torch.nonzero(keep).squeeze(1)


def top_by_score(scores: Tensor, budget: int, components: dict[str, Tensor] | None = None) -> Selection:
    """The selection of a single-score strategy: top-``budget`` with its parts gathered."""
    idx = select_topk(scores, budget)
    parts = {name: value[idx] for name, value in (components or {}).items()}
    return Selection(idx, scores[idx], parts)
