"""Evaluation metrics on logits; plain floats out, so callers can store them directly."""

from __future__ import annotations

import torch
from torch import Tensor


def _check(logits: Tensor, y: Tensor) -> None:
    if logits.dim() != 2 or y.dim() != 1 or logits.shape[0] != y.shape[0]:
        raise ValueError(f"expected logits [N, C] and y [N], got {tuple(logits.shape)} and {tuple(y.shape)}")
    if y.numel() == 0:
        raise ValueError("cannot evaluate on zero items")


def accuracy(logits: Tensor, y: Tensor) -> float:
    """logits: [N, C], y: [N] -> mean_i [argmax_k z_ik == y_i]."""
    _check(logits, y)
    return float((logits.argmax(dim=-1) == y).double().mean())


def per_class_accuracy(logits: Tensor, y: Tensor, num_classes: int) -> list[float | None]:
    """logits: [N, C], y: [N] -> [num_classes]: accuracy on the items of each true class,
    None for a class absent from ``y``.
    """
    _check(logits, y)
    y = y.long()
    if int(y.min()) < 0 or int(y.max()) >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes})")
    correct = (logits.argmax(dim=-1) == y).long()
    hits = torch.bincount(y, weights=correct.double(), minlength=num_classes)
    totals = torch.bincount(y, minlength=num_classes)
    return [float(h / t) if t > 0 else None for h, t in zip(hits.tolist(), totals.tolist(), strict=True)]


def mean_free_energy(logits: Tensor) -> float:
    """logits: [N, C] -> mean_i F(x_i), F = -logsumexp(z) (EADA §1.1; higher = more target-like)."""
    if logits.dim() != 2 or logits.shape[0] == 0:
        raise ValueError(f"expected non-empty logits [N, C], got {tuple(logits.shape)}")
    return float(-torch.logsumexp(logits.double(), dim=-1).mean())
