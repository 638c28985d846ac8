"""The network registry and the contract every network keeps.

Contract: ``forward(x) -> (logits [B, C], features [B, D])`` where ``features`` is the input of
the last layer, an ``nn.Linear`` (named ``classifier`` in labelq's own networks; torchvision's
and timm's keep theirs: networks/torchvision_models.py, timm_models.py), so
``logits == last_layer(features)``, and ``feature_dim == D``. Constructor arguments are JSON
values: they are stored with each checkpoint and sent over HTTP, and ``build_network(name,
**args)`` must rebuild the same shape.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

NetworkFactory = Callable[..., nn.Module]


class ClassifierNetwork(nn.Module):
    """Base class: a feature extractor ``embed`` followed by the linear ``classifier``."""

    classifier: nn.Linear
    feature_dim: int

    def embed(self, x: Tensor) -> Tensor:
        """x: [B, ...] -> features [B, D]."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x: [B, ...] -> (logits [B, C], features [B, D]), logits = classifier(features)."""
        features = self.embed(x)
        return self.classifier(features), features


@dataclass(frozen=True)
class NetworkInfo:
    name: str
    factory: NetworkFactory
    description: str


_REGISTRY: dict[str, NetworkInfo] = {}


def register_network(name: str, *, description: str) -> Callable[[NetworkFactory], NetworkFactory]:
    """Decorator: register a network factory under ``name`` with its description (what its
    arguments are); a name can be registered once. Plugins register the same way."""

    def deco(factory: NetworkFactory) -> NetworkFactory:
        if name in _REGISTRY:
            raise ValueError(f"network {name!r} is already registered")
        _REGISTRY[name] = NetworkInfo(name, factory, description)
        return factory

    return deco


def get_network(name: str) -> NetworkInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown network {name!r}; known: {sorted(_REGISTRY)}") from None


def build_network(name: str, **kwargs: Any) -> nn.Module:
    """Build the registered network ``name`` from JSON-serialisable keyword arguments.

    Raises KeyError for an unknown name, TypeError for unknown/missing or non-JSON arguments and
    ValueError for out-of-range values.
    """
    for prefix, module in (("torchvision/", "torchvision_models"), ("timm/", "timm_models")):
        if name.startswith(prefix):  # any model of the library by name
            family = importlib.import_module(f"models.networks.{module}")
            _check_json(name, kwargs)
            return family.build(name.removeprefix(prefix), kwargs)
    factory = get_network(name).factory
    _check_json(name, kwargs)
    _check_signature(name, factory, kwargs)
    return factory(**kwargs)


def count_parameters(name: str, **kwargs: Any) -> int:
    """How many parameters ``build_network(name, **kwargs)`` would have, counted on the meta
    device (no memory is allocated), so a size limit can be checked before building."""
    with torch.device("meta"):
        net = build_network(name, **kwargs)
    return sum(p.numel() for p in net.parameters())


def list_networks() -> list[str]:
    return sorted(_REGISTRY)


def _check_json(name: str, kwargs: dict[str, Any]) -> None:
    try:
        json.dumps(kwargs, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"network {name!r}: arguments must be JSON values ({exc})") from None


def _check_signature(name: str, factory: NetworkFactory, kwargs: dict[str, Any]) -> None:
    signature = inspect.signature(factory)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        accepted = list(signature.parameters)
        raise TypeError(f"network {name!r}: {exc}; accepted arguments: {accepted}") from None


def check_int(name: str, value: Any, *, minimum: int) -> int:
    """Validate an integer argument (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_int_list(name: str, value: Any, *, minimum: int, allow_empty: bool) -> list[int]:
    """Validate a list of integers (a JSON array)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of integers, got {value!r}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return [check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value)]


def check_probability(name: str, value: Any) -> float:
    """Validate a float in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return float(value)
