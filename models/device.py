"""Run-time device choice. Nothing in models/ touches CUDA at import time (Celery forks)."""

from __future__ import annotations

import itertools

import torch


def pick_device(preferred: str = "auto") -> torch.device:
    """``"auto"``: CUDA if available now, else CPU. Otherwise the named device (``"cpu"``,
    ``"cuda"``, ``"cuda:1"``, ...); ValueError for a malformed name, RuntimeError for a CUDA device
    that is not available.
    """
    if preferred == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(preferred)
    except RuntimeError as exc:
        raise ValueError(f"invalid device {preferred!r}: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {preferred!r} requested but CUDA is not available")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise RuntimeError(f"device {preferred!r} requested but only {torch.cuda.device_count()} GPU(s)")
    return device


def module_device(module: torch.nn.Module) -> torch.device:
    """The device of the first parameter or buffer of ``module`` (CPU when it has none)."""
    first = next(itertools.chain(module.parameters(), module.buffers()), None)
    return torch.device("cpu") if first is None else first.device
