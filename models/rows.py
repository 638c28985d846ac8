"""Rows: where passes and training streams read their inputs from.

A ``Rows`` has a length and answers ``rows[i:j]`` and ``rows[index]`` (a LongTensor of positions)
with a tensor ``[k, ...]``. A Tensor is one; so is a worker's memory-mapped pool
(``workers.data.MappedRows``), which reads only the rows asked for. Forward passes
(``models.inference.predict``), per-sample gradients and training streams ask for one batch at a
time, so a pool never has to fit in memory.
"""

from __future__ import annotations

from typing import Protocol

from torch import Tensor


class Rows(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, index: slice | Tensor, /) -> Tensor: ...


class RowSlice:
    """Rows ``lo:hi`` of another ``Rows``, itself a ``Rows`` (a shard of a pool)."""

    def __init__(self, rows: Rows, lo: int, hi: int) -> None:
        if not 0 <= lo <= hi <= len(rows):
            raise ValueError(f"rows {lo}:{hi} are outside 0:{len(rows)}")
        self.rows, self.lo, self.hi = rows, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, index: slice | Tensor, /) -> Tensor:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("row slices take step 1")
            return self.rows[self.lo + start : self.lo + max(start, stop)]
        return self.rows[index + self.lo]
