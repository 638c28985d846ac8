"""Pools registered by URI: ``file:///path`` to a file under one of ``LABELQ_DATA_ROOTS`` (on the
workers' filesystem, e.g. a shared volume), read by the worker that imports it, never sent through
the API. It lets a pool larger than one request in (a 1e6 x 512 float32 .npy is 2 GB). Checked by
the API when registered and again by the worker before it reads (its own roots)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from service.errors import BadInput

SUFFIXES = (".npz", ".npy", ".safetensors", ".zip", ".parquet", ".arrow", ".feather")


def resolve(uri: str, roots: list[Path]) -> Path:
    """The file ``uri`` names, if it lies under one of ``roots``; BadInput otherwise (nothing is read)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise BadInput(f"pools are registered by file:// URI (file:///path/to/pool.npy), got {uri[:200]!r}")
    if not roots:
        raise BadInput("no LABELQ_DATA_ROOTS are configured: pools can only be uploaded")
    path = Path(unquote(parsed.path)).resolve()
    allowed = [root.resolve() for root in roots]
    if not any(path == root or root in path.parents for root in allowed):
        raise BadInput(f"{path} is not under an allowed data root ({', '.join(map(str, allowed))})")
    if path.suffix.lower() not in SUFFIXES:
        raise BadInput(f"unsupported file type {path.suffix!r}; use one of {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise BadInput(f"{path} is not a file")
    return path
