"""example_linear: one hidden ReLU layer on the flattened input (the features), then the classifier."""

from __future__ import annotations

import math

from torch import Tensor, nn

from models.networks import ClassifierNetwork, register_network


class HiddenLinear(ClassifierNetwork):
    def __init__(self, input_shape: list[int], num_classes: int, width: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(math.prod(input_shape), width)
        self.classifier = nn.Linear(width, num_classes)
        self.feature_dim = width

    def embed(self, x: Tensor) -> Tensor:
        return self.hidden(x.flatten(1)).relu()


@register_network(
    "example_linear",
    description="Example plugin network: one hidden ReLU layer of `width` units on the flattened input, "
    "then the linear classifier. Args: input_shape, num_classes, width (default 16).",
)
def example_linear(input_shape: list[int], num_classes: int, width: int = 16) -> HiddenLinear:
    if width < 1 or num_classes < 2:
        raise ValueError(f"example_linear needs width >= 1 and num_classes >= 2, got {width}, {num_classes}")
    return HiddenLinear(list(input_shape), num_classes, width)
