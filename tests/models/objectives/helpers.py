"""Tiny networks and two-domain data for the objective tests."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from models.objectives import Batch


class TinyNet(nn.Module):
    """x [B, 2] -> (logits [B, C], features [B, D]); features = tanh(Linear(x)), logits = Linear(h)."""

    def __init__(self, feature_dim: int = 4, num_classes: int = 3, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.body = nn.Linear(2, feature_dim)
        self.classifier = nn.Linear(feature_dim, num_classes)
        self.feature_dim = feature_dim

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = torch.tanh(self.body(x))
        return self.classifier(h), h


def two_domains(n: int = 96, angle_deg: float = 35.0, seed: int = 0) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Source: 3 Gaussian blobs in 2-D; target: the same blobs rotated by ``angle_deg``.

    Returns x_s [n, 2], y_s [n], x_t [n, 2], y_t [n].
    """
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[2.5, 0.0], [-1.5, 2.5], [-1.5, -2.5]])
    y_s, y_t = torch.arange(n) % 3, (torch.arange(n) + 1) % 3
    x_s = centres[y_s] + 0.6 * torch.randn(n, 2, generator=g)
    a = math.radians(angle_deg)
    rot = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    x_t = (centres[y_t] + 0.6 * torch.randn(n, 2, generator=g)) @ rot.T
    return x_s, y_s, x_t, y_t


def small_batch(dtype: torch.dtype = torch.float64, seed: int = 0) -> Batch:
    """8 source, 4 labeled-target and 8 unlabeled-target samples."""
    x_s, y_s, x_t, y_t = two_domains(n=12, seed=seed)
    x_s, x_t = x_s.to(dtype), x_t.to(dtype)
    return Batch(source=(x_s[:8], y_s[:8]), target_labeled=(x_t[:4], y_t[:4]), target_unlabeled=x_t[4:])
