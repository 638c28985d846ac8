"""Read tensor uploads (.npz, .npy, .safetensors) into numpy, refusing anything unsafe.

``allow_pickle=False`` everywhere: an object array in an upload is refused, never unpickled.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from service.errors import InvalidPool


def _npy_bytes(fh: BinaryIO) -> int:
    """The size an .npy stream declares in its header (shape x itemsize), read without the data."""
    fmt = np.lib.format
    version = fmt.read_magic(fh)
    read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, _, dtype = read(fh)
    return int(np.prod(shape, dtype=np.float64)) * dtype.itemsize


def check_declared_size(path: Path, suffix: str, max_bytes: int) -> None:
    """Refuse an .npz whose members expand (each and in total), or an .npy whose header declares,
    more than ``max_bytes``, before anything is loaded: a small upload cannot claim the worker's
    memory."""
    total = 0
    if suffix == ".npy":
        with open(path, "rb") as fh:
            total = _npy_bytes(fh)
    elif suffix == ".npz":
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > max_bytes or total > max_bytes:
                    break
                with zf.open(info) as fh:
                    total += max(0, _npy_bytes(fh) - info.file_size)  # a lying header is caught too
    if total > max_bytes:
        raise InvalidPool(f"{suffix} upload expands to more than the limit of {max_bytes} bytes")


def read_tensor_file(path: Path, filename: str, *, max_bytes: int | None = None) -> dict[str, np.ndarray]:
    suffix = Path(filename).suffix.lower()
    try:
        if max_bytes is not None:
            check_declared_size(path, suffix, max_bytes)
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
    raise InvalidPool(
        f"unsupported file type {suffix!r}; use .npz, .npy, .safetensors, .parquet, .arrow/.feather, "
        ".zip or .tar(.gz/.bz2/.xz)"
    )
