"""A small LeNet-style CNN for MNIST-like (28x28) and sklearn-digits-like (8x8) images."""

from __future__ import annotations

from torch import Tensor, nn

from models.networks.registry import ClassifierNetwork, check_int, register_network

_POOLED = 4  # spatial size after the adaptive pool, whatever the input size


class LeNet(ClassifierNetwork):
    """[conv5x5 -> ReLU -> maxpool2] x 2 (32, 64 channels) -> adaptive avg pool 4x4 -> Linear ->
    ReLU (128-d features) -> classifier.

    x: [B, in_channels, H, W] with H, W >= 8 -> (logits [B, C], features [B, 128]).
    """

    def __init__(self, num_classes: int, in_channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(_POOLED),
            nn.Flatten(),
            nn.Linear(64 * _POOLED * _POOLED, 128),
            nn.ReLU(),
        )
        self.feature_dim = 128
        self.classifier = nn.Linear(self.feature_dim, num_classes)

    def embed(self, x: Tensor) -> Tensor:
        return self.body(x)


@register_network(
    "lenet",
    description="Small CNN for 28x28 (MNIST) or 8x8 (digits) images. Args: num_classes, in_channels, "
    "input_size.",
)
def lenet(num_classes: int, in_channels: int = 1, input_size: int = 28) -> LeNet:
    """LeNet for square ``input_size`` images (>= 8); the pool makes the head size-independent."""
    check_int("input_size", input_size, minimum=8)
    classes = check_int("num_classes", num_classes, minimum=2)
    return LeNet(classes, check_int("in_channels", in_channels, minimum=1))
