"""ResNet-18 from torchvision (never pretrained: no weight downloads), split into features + fc."""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models import resnet18 as tv_resnet18

from models.networks.registry import ClassifierNetwork, check_int, register_network


class ResNet18(ClassifierNetwork):
    """torchvision ResNet-18 whose ``fc`` became ``classifier``; features = pooled 512-d vector.

    x: [B, in_channels, H, W] -> (logits [B, C], features [B, 512]).
    ``small_input``: conv1 is 3x3 stride 1 and there is no maxpool (CIFAR-style, for 28-32 px).
    """

    def __init__(self, num_classes: int, in_channels: int, small_input: bool) -> None:
        super().__init__()
        net = tv_resnet18(weights=None, num_classes=num_classes)
        if small_input or in_channels != 3:
            kernel, stride, padding = (3, 1, 1) if small_input else (7, 2, 3)
            net.conv1 = nn.Conv2d(in_channels, 64, kernel, stride=stride, padding=padding, bias=False)
            nn.init.kaiming_normal_(net.conv1.weight, mode="fan_out", nonlinearity="relu")
        if small_input:
            net.maxpool = nn.Identity()
        self.classifier = net.fc
        net.fc = nn.Identity()
        self.backbone = net
        self.feature_dim = self.classifier.in_features

    def embed(self, x: Tensor) -> Tensor:
        return self.backbone(x)


@register_network(
    "resnet18",
    description="torchvision ResNet-18 (random init). Args: num_classes, in_channels, small_input.",
)
def resnet18(num_classes: int, in_channels: int = 3, small_input: bool = False) -> ResNet18:
    """ResNet-18 with random initialisation (weights=None)."""
    if not isinstance(small_input, bool):
        raise TypeError(f"small_input must be a boolean, got {small_input!r}")
    return ResNet18(
        check_int("num_classes", num_classes, minimum=2),
        check_int("in_channels", in_channels, minimum=1),
        small_input,
    )
