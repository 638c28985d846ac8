"""Network architectures a checkpoint may name (kept equal to models/networks by a contract test),
and the families named by prefix (``torchvision/<name>``, ``timm/<name>``: checked by the worker)."""

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
    "timm/<name>": "Any timm model by name (timm.list_models(); timm on the workers: labelq[timm]), "
    "pretrained=False: upload its own state dict. Args: num_classes, in_chans and the model's other keyword "
    "arguments. Features are forward_head(forward_features(x), pre_logits=True).",
}
_FAMILY = re.compile(r"torchvision/[a-z][a-z0-9_]{0,63}|timm/[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")


def known_architecture(name: str) -> bool:
    """A built-in network, or a well-formed family name (the worker refuses one it does not have)."""
    return name in NETWORKS or bool(_FAMILY.fullmatch(name))


def check_architecture(name: str) -> None:
    if not known_architecture(name):
        known = [*sorted(NETWORKS), *FAMILIES]
        raise ValueError(f"unknown architecture {name!r}; known: {known}")
