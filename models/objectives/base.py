"""The one shape every training objective has, and its registry.

An objective turns one step's batches into a classification term (supervised, L2 in GH's
notation) and an optional alignment term (unsupervised or adversarial, L1 in GH's notation),
both already weighted by the objective's own trade-off. The training loop sums them, or, for
gh/ghpp, harmonizes their gradients. Objectives may hold state (EADA's Delta, TOD's EMA network,
DANN's discriminator) that persists across rounds through ``state_dict``/``load_state_dict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor, nn

from models.params import Params


@dataclass
class Batch:
    """One step's data. Every network returns ``(logits, features)``.

    source:          (x [B, ...], y [B]) labeled source batch, or None when there is no source.
    target_labeled:  (x, y) labeled target batch, or None before any target label exists.
    target_unlabeled: x [B, ...] unlabeled target batch, or None.
    """

    source: tuple[Tensor, Tensor] | None = None
    target_labeled: tuple[Tensor, Tensor] | None = None
    target_unlabeled: Tensor | None = None


@dataclass
class LossTerms:
    """classification: scalar supervised term. alignment: scalar weighted alignment term or None.

    alignment_unweighted: the same alignment term without its trade-off weight (GH computes g1
    from it, ALGORITHMS.md §5.1-5). logs: floats to record in the loss history.
    """

    classification: Tensor
    alignment: Tensor | None = None
    alignment_unweighted: Tensor | None = None
    logs: dict[str, float] = field(default_factory=dict)


class Objective(nn.Module):
    """Base class. Subclasses implement ``terms``; extra trainable parts are submodules."""

    name: str = ""

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        raise NotImplementedError

    def backward(self, terms: LossTerms, params: list[nn.Parameter]) -> dict[str, float]:
        """Put this step's gradient into ``p.grad`` for ``params``; return values to log.

        Default: the plain sum. gh/ghpp override it to harmonize the two terms' gradients.
        """
        total = terms.classification
        if terms.alignment is not None:
            total = total + terms.alignment
        total.backward()
        return {}

    def after_step(self, model: nn.Module) -> None:
        """Called after every optimizer step (EMA updates)."""

    def extra_parameters(self) -> list[nn.Parameter]:
        """Trainable parameters the objective owns (e.g. a domain discriminator)."""
        return [p for p in self.parameters() if p.requires_grad]


ObjectiveFactory = Callable[..., Objective]


@dataclass(frozen=True)
class ObjectiveInfo:
    name: str
    factory: ObjectiveFactory
    description: str
    params: type[Params]  # its parameters: published as a JSON schema, checked before each build
    paper: str = ""
    unlabeled: bool = False  # reads unlabeled target items (the worker loads them for it)


_REGISTRY: dict[str, ObjectiveInfo] = {}


def register_objective(
    name: str, *, description: str, params: type[Params], paper: str = "", unlabeled: bool = False
) -> Callable[[ObjectiveFactory], ObjectiveFactory]:
    """Decorator: register an objective factory under ``name`` with what the catalog shows of it;
    a name can be registered once. Plugins register the same way (models/plugins.py)."""

    def deco(factory: ObjectiveFactory) -> ObjectiveFactory:
        if name in _REGISTRY:
            raise ValueError(f"objective {name!r} is already registered")
        _REGISTRY[name] = ObjectiveInfo(name, factory, description, params, paper, unlabeled)
        return factory

    return deco


def get_objective(name: str) -> ObjectiveInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown objective {name!r}; known: {sorted(_REGISTRY)}") from None


def build_objective(name: str, **params: Any) -> Objective:
    return get_objective(name).factory(**params)


def list_objectives() -> list[str]:
    return sorted(_REGISTRY)
