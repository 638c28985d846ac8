"""What a checkpoint's ``input_spec`` may say (checked at the API, torch-free; applied by the
workers, models/input_spec.py): the items' ``shape``, and the network's input ``size`` [H, W] and
per-channel ``mean``/``std``."""

from __future__ import annotations

import math
from typing import Any


def check(spec: dict[str, Any], shape: list[int]) -> dict[str, Any]:
    """``spec`` if its mean/std/size fit the items' ``shape`` ([C, H, W]); ValueError otherwise."""
    unknown = sorted(set(spec) - {"shape", "mean", "std", "size"})
    if unknown:
        raise ValueError(f"input_spec knows shape, mean, std and size, not {unknown}")
    channels = shape[0] if len(shape) == 3 else None
    for name in ("mean", "std"):
        if name in spec:
            values = spec[name]
            if channels is None or not isinstance(values, list) or len(values) != channels:
                raise ValueError(f"input_spec {name} must be a list of {channels} numbers (one per channel)")
            if not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
            ):
                raise ValueError(f"input_spec {name} must hold finite numbers")
    if "std" in spec and any(v <= 0 for v in spec["std"]):
        raise ValueError("input_spec std must be positive")
    if "size" in spec:
        size = spec["size"]
        if channels is None or not (isinstance(size, list) and len(size) == 2):
            raise ValueError("input_spec size is [H, W] (images only)")
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096 for v in size):
            raise ValueError("input_spec size must be two integers in 1..4096")
    return spec
