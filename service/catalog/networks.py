"""Network architectures a checkpoint may name (kept equal to models/networks by a contract test)."""

from __future__ import annotations

NETWORKS: dict[str, str] = {
    "mlp": "Multi-layer perceptron on the flattened input. Args: input_shape, num_classes, hidden, dropout.",
    "lenet": "Small CNN for 28x28 (MNIST) or 8x8 (digits) images. "
    "Args: num_classes, in_channels, input_size.",
    "resnet18": "torchvision ResNet-18 (random init). Args: num_classes, in_channels, small_input.",
}
