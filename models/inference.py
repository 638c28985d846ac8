"""Batched, no-grad forward passes over a pool: the only way scores get their inputs."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from models.acquisition.base import PoolOutputs
from models.buffers import OutputBuffers
from models.device import module_device
from models.rows import Rows


def as_float_input(x: Tensor) -> Tensor:
    """uint8 images in [0, 255] -> float32 in [0, 1]; float inputs -> float32 unchanged.

    Training (models.train.fit) and inference share this so both see the same scale.
    """
    if x.dtype == torch.uint8:
        return x.float().div_(255.0)
    if not torch.is_floating_point(x):
        raise TypeError(f"inputs must be uint8 or floating point, got {x.dtype}")
    return x.float()


def split_outputs(out: object) -> tuple[Tensor, Tensor]:
    """Check a network's output is ``(logits [B, C], features [B, D])`` and return it."""
    if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(t, Tensor) for t in out)):
        raise TypeError("a network must return a tuple (logits, features)")
    return out[0], out[1]


BATCH_SIZE = 256  # rows per forward batch (a pass split into shards keeps whole batches)


@torch.no_grad()
def predict(
    model: nn.Module,
    x: Rows,
    *,
    batch_size: int = BATCH_SIZE,
    device: torch.device | str | None = None,
    progress: Callable[[int, int], None] | None = None,
    features: bool = True,
    buffers: OutputBuffers | None = None,
    autocast: torch.dtype | None = None,
) -> PoolOutputs:
    """Eval-mode outputs of ``model`` on ``x`` in order.

    x: [N, ...] uint8 (scaled to [0, 1]) or float, on any device, or any ``Rows`` (read one batch at
    a time: a memory-mapped pool is never copied whole). Returns PoolOutputs with
    logits [N, C] and features [N, D], float32 on CPU; with ``features=False`` the features are
    not kept ([N, 0]): for logits-only strategies, storing N x D floats is most of the cost of a
    pass over a small network (benchmarks/README.md, goal 3). ``device`` defaults to the model's;
    when given, the model is moved there. ``progress(done, N)`` is called after every batch. The
    model's train/eval mode is restored afterwards. ``autocast``: the network runs under
    ``torch.autocast`` with this dtype (bfloat16 or float16 on CUDA; bfloat16 also on CPU), the
    outputs are stored as float32 all the same. Batches bound for CUDA are pinned first, so their
    copy does not block.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    device = module_device(model) if device is None else torch.device(device)
    model.to(device)
    was_training = model.training
    model.eval()
    try:
        logits, feats = _forward_batches(model, x, batch_size, device, progress, features, buffers, autocast)
    finally:
        model.train(was_training)
    return PoolOutputs(logits, feats)


def _forward_batches(
    model: nn.Module,
    x: Rows,
    batch_size: int,
    device: torch.device,
    progress: Callable[[int, int], None] | None,
    keep_features: bool = True,
    buffers: OutputBuffers | None = None,
    autocast: torch.dtype | None = None,
) -> tuple[Tensor, Tensor]:
    """[N, ...] -> (logits [N, C], features [N, D] or [N, 0]) float32 CPU, one forward per batch.

    The outputs are allocated once, after the first batch tells C and D, and every batch is
    copied into its rows: peak memory is the outputs plus one batch (no list, no concatenation).
    """
    total = len(x)
    if total == 0:
        z, h = _empty_outputs(model, x[0:0], device)
        return z, h if keep_features else h[:, :0]
    empty = torch.empty if buffers is None else buffers.empty
    z, h = _forward(model, x[0:batch_size], device, autocast)
    logits = empty((total, z.shape[1]), dtype=torch.float32)
    features = empty((total, h.shape[1] if keep_features else 0), dtype=torch.float32)
    done = 0
    for i, (zs, hs) in enumerate(zip(logits.split(batch_size), features.split(batch_size), strict=True)):
        if i > 0:
            z, h = _forward(model, x[i * batch_size : (i + 1) * batch_size], device, autocast)
        zs.copy_(z)
        if keep_features:
            hs.copy_(h)
        done += len(zs)
        if progress is not None:
            progress(done, total)
    return logits, features


def _forward(
    model: nn.Module, xb: Tensor, device: torch.device, autocast: torch.dtype | None = None
) -> tuple[Tensor, Tensor]:
    if device.type == "cuda" and xb.device.type == "cpu":
        xb = xb.pin_memory()
    with torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
        return split_outputs(model(as_float_input(xb.to(device, non_blocking=True))))


def _empty_outputs(model: nn.Module, x: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    """Outputs for an empty pool: [0, C] and [0, D] (shapes from the model's contract)."""
    classifier = getattr(model, "classifier", None)
    if isinstance(classifier, nn.Linear):
        return torch.empty(0, classifier.out_features), torch.empty(0, classifier.in_features)
    z, h = split_outputs(model(as_float_input(x.to(device))))
    return z.float().cpu(), h.float().cpu()
