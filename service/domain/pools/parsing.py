"""Turn one upload into validated arrays: x [N, *input_shape] (uint8 images as they are, anything
else float32), y [N] or None (an unlabeled pool), ids [N]."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.domain.pools import tables
from service.domain.pools.archives import ArchiveLimits, archive_suffix, read_image_archive
from service.domain.pools.tables import Beside
from service.domain.pools.tensors import read_tensor_file
from service.errors import InvalidPool

MAX_ID_LENGTH = 255


@dataclass
class ParsedPool:
    x: np.ndarray
    y: np.ndarray | None
    ids: list[str]


def parse_upload(
    path: Path,
    filename: str,
    *,
    input_shape: list[int],
    classes: list[str],
    limits: ArchiveLimits,
    default_id_prefix: str,
    beside: Beside | None = None,
) -> ParsedPool:
    """``beside``: where a table of image paths finds its images (the folder or key prefix of a
    table registered by URI; None for uploads, whose paths are refused)."""
    suffix = Path(filename).suffix.lower()
    if archive := archive_suffix(filename):
        arrays = read_image_archive(path, archive, shape=input_shape, classes=classes, limits=limits)
    elif suffix in tables.SUFFIXES:
        arrays = tables.read_table(path, suffix, input_shape, limits=limits, beside=beside)
    else:
        arrays = read_tensor_file(path, filename, max_bytes=limits.max_bytes)
    unknown = set(arrays) - {"x", "y", "ids"}
    if "x" not in arrays:
        raise InvalidPool(f"the upload has no 'x' array (found {sorted(arrays)})")
    if unknown:
        raise InvalidPool(f"unexpected arrays {sorted(unknown)}; allowed: x, y, ids")
    x = _check_x(arrays["x"], input_shape)
    y = _check_y(arrays["y"], len(x), len(classes)) if "y" in arrays else None
    ids = _check_ids(arrays.get("ids"), len(x), default_id_prefix)
    return ParsedPool(x, y, ids)


def _check_x(x: np.ndarray, input_shape: list[int]) -> np.ndarray:
    if x.dtype.kind not in "biuf":
        raise InvalidPool(f"'x' must be numeric, got dtype {x.dtype}")
    if x.ndim < 1 or x.shape[0] == 0:
        raise InvalidPool("'x' holds no items")
    if list(x.shape[1:]) != list(input_shape):
        raise InvalidPool(
            f"'x' has item shape {list(x.shape[1:])}, the project's input shape is {list(input_shape)}"
        )
    if x.dtype == np.uint8:  # images: stored as they are (a quarter of float32), read as x / 255
        return x
    x = x.astype(np.float32, copy=False)
    bad = ~np.isfinite(x.reshape(len(x), -1)).all(axis=1)
    if bad.any():
        first = np.flatnonzero(bad)[:5].tolist()
        raise InvalidPool(f"'x' has NaN or inf values in {int(bad.sum())} items (rows {first}...)")
    return x


def _check_y(y: np.ndarray, n: int, num_classes: int) -> np.ndarray:
    if y.shape != (n,):
        raise InvalidPool(f"'y' must have shape ({n},), got {tuple(y.shape)}")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or not np.equal(np.mod(y, 1), 0).all():
            raise InvalidPool("'y' must hold integer class indices")
    elif y.dtype.kind not in "iu":
        raise InvalidPool(f"'y' must hold integer class indices, got dtype {y.dtype}")
    y = y.astype(np.int64)
    out = (y < 0) | (y >= num_classes)
    if out.any():
        raise InvalidPool(
            f"{int(out.sum())} labels are outside the class range 0..{num_classes - 1} "
            f"(first: {y[out][:5].tolist()})"
        )
    return y


def _check_ids(ids: np.ndarray | None, n: int, prefix: str) -> list[str]:
    if ids is None:
        return [f"{prefix}{i}" for i in range(n)]
    if ids.shape != (n,):
        raise InvalidPool(f"'ids' must have shape ({n},), got {tuple(ids.shape)}")
    if ids.dtype.kind not in "USiu":
        raise InvalidPool(f"'ids' must be strings or integers, got dtype {ids.dtype}")
    out = [str(v) for v in ids.tolist()]
    if any(not v or len(v) > MAX_ID_LENGTH for v in out):
        raise InvalidPool(f"every id must be 1..{MAX_ID_LENGTH} characters")
    if len(set(out)) != len(out):
        counts = Counter(out)
        dupes = sorted(v for v, n in counts.items() if n > 1)
        raise InvalidPool(f"duplicate external ids within the upload: {dupes[:5]}")
    return out
