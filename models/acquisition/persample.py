"""Per-sample gradient norms over every parameter with torch.func (ALGORITHMS.md §0.3-7, §2.3).

For each sample x (batch size 1 semantics, model in eval mode), with L(x) = H(softmax(f(x))):

    layer_sum = Σ_t ||∇_{θ_t} L||₂          (sum over parameter tensors; AL-GradNorm code)
    global    = sqrt(Σ_t ||∇_{θ_t} L||₂²)   (one L2 norm over all parameters)

Samples are processed ``chunk_size`` at a time through ``vmap(grad(.))``, so memory is bounded by
chunk_size x n_params values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

from models.acquisition.numerics import check_choice, entropy_from_logits
from models.acquisition.progress import Ticker
from models.rows import Rows

NormMode = Literal["layer_sum", "global"]


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run with every submodule in eval mode (BatchNorm running stats, no dropout); restore after."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


def combine_norms(sq_norms: list[Tensor], norm_mode: NormMode) -> Tensor:
    """Per-tensor squared norms (each [B]) -> [B] layer_sum Σ_t sqrt(.) or global sqrt(Σ_t .)."""
    stacked = torch.stack(sq_norms, dim=1)
    if norm_mode == "layer_sum":
        return stacked.sqrt().sum(dim=1)
    if norm_mode == "global":
        return stacked.sum(dim=1).sqrt()
    raise ValueError(f"unknown norm_mode {norm_mode!r}; use 'layer_sum' or 'global'")


def _entropy_of_one(model: nn.Module) -> Callable[..., Tensor]:
    """(params, buffers, x without batch dim) -> H(softmax(logits)) for a network returning
    ``(logits, features)`` or plain logits."""

    def loss(params: dict[str, Tensor], buffers: dict[str, Tensor], x: Tensor) -> Tensor:
        out = functional_call(model, (params, buffers), (x.unsqueeze(0),))
        logits = out[0] if isinstance(out, tuple | list) else out
        return entropy_from_logits(logits[0])

    return loss


def per_sample_gradnorm(
    model: nn.Module,
    inputs: Rows,
    *,
    norm_mode: NormMode = "layer_sum",
    chunk_size: int = 32,
    progress: Callable[[float], None] | None = None,
) -> Tensor:
    """||∇_θ H(softmax(f(x_i)))|| for each input, over all trainable parameters.

    inputs: [N, ...], a tensor or any ``Rows`` (read and moved to the model's device chunk by
    chunk) -> [N] on the CPU.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    check_choice("norm_mode", norm_mode, NormMode)
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    device = next(iter(params.values())).device
    grad_fn = vmap(grad(_entropy_of_one(model)), in_dims=(None, None, 0))
    ticker, out = Ticker(progress, len(inputs)), []
    with eval_mode(model):
        for start in range(0, len(inputs), chunk_size):
            grads = grad_fn(params, buffers, inputs[start : start + chunk_size].to(device))
            sq = [g.flatten(1).pow(2).sum(dim=1) for g in grads.values()]
            out.append(combine_norms(sq, norm_mode).detach().cpu())
            ticker.tick(min(start + chunk_size, len(inputs)))
    return torch.cat(out) if out else torch.zeros(0)
