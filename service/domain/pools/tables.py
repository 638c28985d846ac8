"""Arrow tables (.parquet, .arrow / .feather) as pools: a column ``x`` of fixed-size lists or
lists of numbers (one embedding per row, prod(input_shape) values, reshaped to the input shape),
or a column ``path`` of image files relative to the table's folder (a table registered by
file:// or s3:// URI, pools/beside.py; read, resized to the input shape and kept as uint8 like
archive images); optional
``y`` (class indices; null everywhere = an unlabeled pool) and ``id`` or ``ids`` (external ids).
pyarrow is optional (``labelq[parquet]`` on the workers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from service.domain.pools.archives import ArchiveLimits, decode_image
from service.domain.pools.beside import Folder, Objects
from service.errors import InvalidPool

SUFFIXES = (".parquet", ".arrow", ".feather")
Beside = Folder | Objects


def read_table(
    path: Path, suffix: str, shape: list[int], *, limits: ArchiveLimits, beside: Beside | None = None
) -> dict[str, np.ndarray]:
    table = _read(path, suffix, shape, limits.max_bytes)
    if "x" not in table.column_names and "path" in table.column_names:
        out = {"x": _images(table.column("path").to_pylist(), beside, shape, limits)}
    else:
        out = {"x": _embeddings(table, shape)}
    if "y" in table.column_names:
        y = table.column("y")
        if y.null_count == len(y):
            pass  # an unlabeled pool
        elif y.null_count:
            raise InvalidPool(
                f"column 'y' has {y.null_count} nulls among {len(y)} rows: label every row or none"
            )
        else:
            out["y"] = y.to_numpy()
    for name in ("ids", "id"):
        if name in table.column_names:
            out["ids"] = np.array([str(v) for v in table.column(name).to_pylist()])
            break
    return out


def _read(path: Path, suffix: str, shape: list[int], max_bytes: int) -> Any:
    try:
        import pyarrow.feather
        import pyarrow.parquet
    except ImportError:
        raise InvalidPool(
            f"{suffix} pools need pyarrow on the workers: pip install 'labelq[parquet]'"
        ) from None
    try:
        if suffix == ".parquet":
            meta = pyarrow.parquet.read_metadata(path)
            if meta.num_rows * int(np.prod(shape)) * 4 > max_bytes:
                raise InvalidPool(
                    f"the table's {meta.num_rows} rows expand beyond the limit of {max_bytes} bytes"
                )
            return pyarrow.parquet.read_table(path)
        return pyarrow.feather.read_table(path)
    except InvalidPool:
        raise
    except Exception as exc:  # pyarrow's errors for files that are not tables
        raise InvalidPool(f"cannot read the {suffix} table ({type(exc).__name__}: {exc})") from None


def _embeddings(table: Any, shape: list[int]) -> np.ndarray:
    import pyarrow as pa

    if "x" not in table.column_names:
        raise InvalidPool(
            f"the table needs a column 'x' of embeddings or 'path' of images (found {table.column_names})"
        )
    column = table.column("x").combine_chunks()
    if not (pa.types.is_list(column.type) or pa.types.is_fixed_size_list(column.type)) or column.null_count:
        raise InvalidPool(f"column 'x' must hold one list of numbers per row, got {column.type}")
    width = int(np.prod(shape))
    lengths = column.value_lengths().to_numpy(zero_copy_only=False)
    if len(lengths) and not (lengths == width).all():
        seen = sorted(set(lengths.tolist()))[:5]
        raise InvalidPool(f"every 'x' must have {width} values (input shape {shape}), got {seen}")
    values = column.flatten().to_numpy(zero_copy_only=False)
    if values.dtype.kind not in "iuf":
        raise InvalidPool(f"'x' must hold numbers, got {column.type}")
    return values.reshape(len(column), *shape)


def _images(paths: list[Any], beside: Beside | None, shape: list[int], limits: ArchiveLimits) -> np.ndarray:
    """The images the ``path`` column names, each beside the table (never outside its folder,
    links included), with the archive limits: rows, bytes per image, bytes in all."""
    if beside is None:
        raise InvalidPool(
            "a table of image paths is read with its images beside it: register it by file:// or s3:// URI "
            "under a data root (LABELQ_DATA_ROOTS), its paths relative to the table's folder"
        )
    if len(paths) > limits.max_members:
        raise InvalidPool(f"the table names {len(paths)} images, more than the limit {limits.max_members}")
    total = 0
    out = np.empty((len(paths), *shape), dtype=np.uint8)
    for row, rel in enumerate(paths):
        if not isinstance(rel, str) or not rel:
            raise InvalidPool(f"row {row}: 'path' must be an image file's path relative to the table")
        try:
            size, read = beside.find(rel)
        except ValueError as exc:
            raise InvalidPool(f"row {row}: {rel!r} {exc}") from None
        total += size
        if size > limits.max_member_bytes or total > limits.max_bytes:
            raise InvalidPool(f"row {row}: {rel!r} takes the images beyond the size limits")
        data = read(size + 1)
        if len(data) != size:
            raise InvalidPool(f"row {row}: {rel!r} changed while it was read")
        out[row] = decode_image(data, rel, shape)
    return out
