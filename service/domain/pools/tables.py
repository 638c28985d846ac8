"""Arrow tables of embeddings (.parquet, .arrow / .feather) as pools: a column ``x`` of fixed-size
lists or lists of numbers (one embedding per row, prod(input_shape) values, reshaped to the input
shape), optional ``y`` (class indices; null everywhere = an unlabeled pool) and ``id`` or ``ids``
(external ids). pyarrow is optional (``labelq[parquet]`` on the workers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from service.errors import InvalidPool

SUFFIXES = (".parquet", ".arrow", ".feather")


def read_table(path: Path, suffix: str, shape: list[int], *, max_bytes: int) -> dict[str, np.ndarray]:
    try:
        import pyarrow as pa
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
            table = pyarrow.parquet.read_table(path)
        else:
            table = pyarrow.feather.read_table(path)
    except InvalidPool:
        raise
    except Exception as exc:  # pyarrow's errors for files that are not tables
        raise InvalidPool(f"cannot read the {suffix} table ({type(exc).__name__}: {exc})") from None
    if "x" not in table.column_names:
        raise InvalidPool(f"the table needs a column 'x' of embeddings (found {table.column_names})")
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
    out = {"x": values.reshape(len(column), *shape)}
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
