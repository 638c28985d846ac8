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
