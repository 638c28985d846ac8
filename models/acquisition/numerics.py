"""Numerically safe building blocks shared by the scores (ALGORITHMS.md §0.3-1, §0.3-4)."""

from __future__ import annotations

from typing import Any, get_args

import torch
from torch import Tensor


def upcast(x: Tensor) -> Tensor:
    """Half-precision tensors become float32 (bf16/fp16 scores create artificial ties, §0.3-4).

    float32 and float64 are returned unchanged.
    """
    if x.dtype in (torch.float16, torch.bfloat16):
        return x.float()
    return x


def entropy_from_logits(logits: Tensor) -> Tensor:
    """H(softmax(z)) = -sum_k p_k log p_k via log_softmax, never p * log(p).

    logits: [..., C] -> [...].
    """
    logp = torch.log_softmax(logits, dim=-1)
    return -(logp.exp() * logp).sum(-1)


def require_classes(logits: Tensor, minimum: int, strategy: str) -> None:
    """Refuse logits that are not [N, C] with C >= minimum."""
    if logits.dim() != 2 or logits.shape[1] < minimum:
        raise ValueError(f"{strategy} needs logits of shape [N, C] with C >= {minimum}")


def promote(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Both tensors upcast and converted to their common (widest) floating dtype."""
    x, y = upcast(x), upcast(y)
    dtype = torch.promote_types(x.dtype, y.dtype)
    return x.to(dtype), y.to(dtype)


def check_budget(budget: int, n_pool: int) -> int:
    """k = min(budget, N); a negative budget is refused."""
    if isinstance(budget, bool) or int(budget) != budget or budget < 0:
        raise ValueError(f"budget must be a non-negative integer, got {budget!r}")
    return min(int(budget), int(n_pool))


def check_choice(name: str, value: str, allowed: Any) -> None:
    """Refuse a mode string that is not one of the values of the Literal type ``allowed``."""
    if value not in get_args(allowed):
        raise ValueError(f"unknown {name} {value!r}; use one of {list(get_args(allowed))}")
