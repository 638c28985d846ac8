"""Networks: every one returns ``(logits, features)`` and has a linear ``classifier`` (registry.py)."""

from models.networks import lenet as _lenet  # noqa: F401  (registers "lenet")
from models.networks import mlp as _mlp  # noqa: F401  (registers "mlp")
from models.networks import resnet as _resnet  # noqa: F401  (registers "resnet18")
from models.networks.registry import (
    ClassifierNetwork,
    build_network,
    count_parameters,
    list_networks,
    register_network,
)

__all__ = ["ClassifierNetwork", "build_network", "count_parameters", "list_networks", "register_network"]
