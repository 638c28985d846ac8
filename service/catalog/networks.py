"""Network architectures a checkpoint may name (kept equal to models/networks by a contract test),
and the families named by prefix (``torchvision/<name>``: checked by the worker, which has torch)."""

from __future__ import annotations

import re

NETWORKS: dict[str, str] = {
    "mlp": "Multi-layer perceptron on the flattened input. Args: input_shape, num_classes, hidden, dropout.",
    "lenet": "Small CNN for 28x28 (MNIST) or 8x8 (digits) images. "
    "Args: num_classes, in_channels, input_size.",
    "resnet18": "torchvision ResNet-18 (random init). Args: num_classes, in_channels, small_input.",
}

FAMILIES: dict[str, str] = {
    "torchvision/<name>": "Any torchvision classification model by name (torchvision.models.list_models(), "
    "e.g. torchvision/resnet50, torchvision/efficientnet_b0, torchvision/vit_b_16; not squeezenet), never "
    "pretrained: upload its own state dict (torchvision's key names, as saved) as weights. Args: num_classes "
    "and the model's other keyword arguments (JSON). Features are the input of its final Linear.",
}
_FAMILY = re.compile(r"torchvision/[a-z][a-z0-9_]{0,63}")


def known_architecture(name: str) -> bool:
    """A built-in network, or a well-formed family name (the worker refuses one it does not have)."""
    return name in NETWORKS or bool(_FAMILY.fullmatch(name))


def check_architecture(name: str) -> None:
    if not known_architecture(name):
        known = [*sorted(NETWORKS), *FAMILIES]
        raise ValueError(f"unknown architecture {name!r}; known: {known}")
