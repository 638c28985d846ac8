"""Read tensor uploads (.npz, .npy, .safetensors) into numpy, refusing anything unsafe.

``allow_pickle=False`` everywhere: an object array in an upload is refused, never unpickled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from service.errors import InvalidPool


def read_tensor_file(path: Path, filename: str) -> dict[str, np.ndarray]:
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                return {key: data[key] for key in data.files}
        if suffix == ".npy":
            return {"x": np.load(path, allow_pickle=False)}
        if suffix == ".safetensors":
            from safetensors.numpy import load_file

            return dict(load_file(str(path)))
    except InvalidPool:
        raise
    except Exception as exc:  # numpy/safetensors raise many types for corrupt files
        raise InvalidPool(f"cannot read {filename!r} as {suffix} ({type(exc).__name__}: {exc})") from exc
    raise InvalidPool(f"unsupported file type {suffix!r}; use .npz, .npy, .safetensors or .zip")
