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


PRECISIONS: dict[str, torch.dtype | None] = {
    "float32": None,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}


def autocast_dtype(precision: str) -> torch.dtype | None:
    """The ``torch.autocast`` dtype of a precision name (None for float32: no autocast)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; use one of {sorted(PRECISIONS)}")
    return PRECISIONS[precision]


def describe(device: torch.device, precision: str = "float32") -> dict[str, str]:
    """What a job ran on, for its result: the device (and the GPU's name) and the precision of its
    forward passes."""
    out = {"device": str(device), "dtype": precision}
    if device.type == "cuda":
        out["device_name"] = torch.cuda.get_device_name(device)
    return out


def module_device(module: torch.nn.Module) -> torch.device:
    """The device of the first parameter or buffer of ``module`` (CPU when it has none)."""
    first = next(itertools.chain(module.parameters(), module.buffers()), None)
    return torch.device("cpu") if first is None else first.device
