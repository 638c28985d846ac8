"""Predictions from logits: the predicted class and the top-k class probabilities (softmax)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def predictions(logits: Tensor, k: int = 3) -> list[dict[str, Any]]:
    """One ``{"label": c, "top": [{"label": c, "probability": p}, ...]}`` per row of ``logits``
    [N, C]: the ``min(k, C)`` most probable classes, most probable first; ties go to the lower
    class index (as ``argmax``), so ``label`` is always ``top[0]["label"]``."""
    if logits.ndim != 2:
        raise ValueError(f"logits must be [N, C], got shape {tuple(logits.shape)}")
    if k < 1:
        raise ValueError("k must be >= 1")
    probs = torch.softmax(logits.double(), dim=-1)
    values, classes = torch.sort(probs, dim=-1, descending=True, stable=True)
    k = min(k, logits.shape[1])
    out = []
    for cls, val in zip(classes[:, :k].tolist(), values[:, :k].tolist(), strict=True):
        top = [{"label": int(c), "probability": float(p)} for c, p in zip(cls, val, strict=True)]
        out.append({"label": top[0]["label"], "top": top})
    return out
