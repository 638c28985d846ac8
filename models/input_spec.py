"""A checkpoint's input spec applied to its network: inputs resized to ``size`` ([H, W], e.g. the
224 px an ImageNet model was trained at) and normalised with per-channel ``mean``/``std`` (its
training's statistics) before the network sees them. Done by a forward pre-hook, so the state dict
stays the network's own; every pass (scoring, gradients, training, predictions) goes through it."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def apply(model: nn.Module, spec: dict[str, Any] | None) -> nn.Module:
    """Register the spec's resize and normalisation on ``model`` (nothing when it has neither)."""
    spec = spec or {}
    size = spec.get("size")
    mean = torch.tensor(spec["mean"], dtype=torch.float32) if "mean" in spec else None
    std = torch.tensor(spec["std"], dtype=torch.float32) if "std" in spec else None
    if size is None and mean is None and std is None:
        return model

    def prepare(_module: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        x: Tensor = args[0]
        if size is not None and list(x.shape[-2:]) != list(size):
            x = F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)
        if mean is not None:
            x = x - mean.to(x.device, x.dtype).view(1, -1, 1, 1)
        if std is not None:
            x = x / std.to(x.device, x.dtype).view(1, -1, 1, 1)
        return (x, *args[1:])

    model.register_forward_pre_hook(prepare)
    return model
