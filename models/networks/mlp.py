"""A multilayer perceptron on flattened inputs."""

from __future__ import annotations

import math

from torch import Tensor, nn

from models.networks.registry import (
    ClassifierNetwork,
    check_int,
    check_int_list,
    check_probability,
    register_network,
)


class MLP(ClassifierNetwork):
    """flatten -> [Linear -> ReLU -> Dropout] x len(hidden) -> classifier.

    x: [B, *input_shape] -> (logits [B, C], features [B, D]) with D = hidden[-1], or
    D = prod(input_shape) when ``hidden`` is empty (a linear classifier on the raw input).
    """

    def __init__(self, input_shape: list[int], num_classes: int, hidden: list[int], dropout: float) -> None:
        super().__init__()
        widths = [math.prod(input_shape), *hidden]
        layers: list[nn.Module] = [nn.Flatten()]
        for d_in, d_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(d_in, d_out), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        self.body = nn.Sequential(*layers)
        self.feature_dim = widths[-1]
        self.classifier = nn.Linear(self.feature_dim, num_classes)

    def embed(self, x: Tensor) -> Tensor:
        return self.body(x)


@register_network(
    "mlp",
    description="Multi-layer perceptron on the flattened input. Args: input_shape, num_classes, hidden, "
    "dropout.",
)
def mlp(
    input_shape: list[int], num_classes: int, hidden: list[int] | None = None, dropout: float = 0.0
) -> MLP:
    """MLP for inputs of shape ``input_shape`` (without batch dim); ``hidden`` defaults to [256]."""
    shape = check_int_list("input_shape", input_shape, minimum=1, allow_empty=False)
    widths = check_int_list("hidden", [256] if hidden is None else hidden, minimum=1, allow_empty=True)
    classes = check_int("num_classes", num_classes, minimum=2)
    return MLP(shape, classes, widths, check_probability("dropout", dropout))
