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


def log_softmax_rows(logits: Tensor) -> Tensor:
    """log softmax over the last dim as (z - max) - log Σ exp(z - max): stable ([1000, 999, 0]
    is fine) and, on CPU with few classes, about twice as fast as torch.log_softmax, whose kernel
    is slow along short rows (benchmarks/README.md, goal 3). [..., C] -> [..., C]."""
    shifted = logits - logits.amax(dim=-1, keepdim=True)
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def top2_rows(logits: Tensor) -> tuple[Tensor, Tensor]:
    """Largest and second-largest entry of each row (equal when the top value repeats), as
    ``topk(2).values`` but cheaper along short rows. [N, C >= 2] -> ([N], [N])."""
    first, where = logits.max(dim=-1)
    second = logits.scatter(-1, where[:, None], -torch.inf).amax(dim=-1)
    return first, second


def entropy_from_logits(logits: Tensor) -> Tensor:
    """H(softmax(z)) = -sum_k p_k log p_k via log softmax, never p * log(p).

    logits: [..., C] -> [...].
    """
    logp = log_softmax_rows(logits)
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
