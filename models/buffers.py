"""Memory for a forward pass's [N, ...] outputs, reused by later passes once nothing holds it.

A fresh buffer of a few hundred MB is paid twice: the kernel zeroes every page on first touch
(~0.05 s per 200 MB on the benchmark VM), then the pass writes it. On a network as cheap as a
one-layer MLP that zeroing is ~15 % of the pass (benchmarks/README.md, goal 3). A worker runs
pass after pass of the same shapes (each round's checkpoint on the same pools), so it can hand
the next pass memory it has already touched.

A block is lent as tensors built on it with ``torch.frombuffer``; every tensor, view or numpy
array made from them keeps the block's numpy array referenced, so the block is free exactly when
its reference count is back to the pool's own. Nothing is ever lent twice while in use: two
passes held at once (COD's current and previous outputs) get two blocks.
"""

from __future__ import annotations

import math
import sys
import threading

import numpy as np
import torch
from torch import Tensor

_ALIGN = 64  # bytes; torch's own CPU allocations are 64-byte aligned


def _free_refs() -> int:
    """What getrefcount reports for an array only a list holds, read the way ``_free`` reads it
    (the argument's own reference is counted by some interpreters and not by others)."""
    blocks = [np.empty(1, dtype=np.uint8)]
    return sys.getrefcount(blocks[0])


_FREE_REFS = _free_refs()


class OutputBuffers:
    """Lends output tensors from blocks it keeps, up to ``max_bytes`` in all.

    ``empty(shape, dtype)`` returns an uninitialised tensor, as torch.empty. It reuses the
    smallest free block that holds it without wasting more than half of the block; otherwise it
    drops free blocks (largest first) until the new block fits under ``max_bytes`` and allocates
    one. A request that would not fit even then gets plain torch.empty memory, not kept, and drops
    nothing.
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._blocks: list[np.ndarray] = []
        self._lock = threading.Lock()
        self.reused = 0  # requests served from a kept block
        self.allocated = 0  # blocks allocated (and kept)

    def empty(self, shape: tuple[int, ...] | list[int], dtype: torch.dtype = torch.float32) -> Tensor:
        shape = tuple(int(s) for s in shape)
        numel = math.prod(shape)
        need = numel * dtype.itemsize
        if need == 0:
            return torch.empty(shape, dtype=dtype)
        with self._lock:
            block = self._take(need)
            if block is None:
                return torch.empty(shape, dtype=dtype)
            offset = (-block.ctypes.data) % _ALIGN
            return torch.frombuffer(block, dtype=dtype, count=numel, offset=offset).view(shape)

    @property
    def kept_bytes(self) -> int:
        return sum(b.nbytes for b in self._blocks)

    @property
    def free_bytes(self) -> int:
        return sum(self._blocks[i].nbytes for i in self._free())

    def clear(self) -> None:
        """Drop every free block (blocks in use are kept until they are free and dropped later)."""
        with self._lock:
            for i in sorted(self._free(), reverse=True):
                del self._blocks[i]

    def _free(self) -> list[int]:
        return [i for i in range(len(self._blocks)) if sys.getrefcount(self._blocks[i]) <= _FREE_REFS]

    def _take(self, need: int) -> np.ndarray | None:
        free = self._free()
        fits = [i for i in free if need <= self._blocks[i].nbytes - _ALIGN <= 2 * need]
        if fits:
            self.reused += 1
            return self._blocks[min(fits, key=lambda i: self._blocks[i].nbytes)]
        size, kept, drop = need + _ALIGN, self.kept_bytes, set()
        for i in sorted(free, key=lambda i: self._blocks[i].nbytes, reverse=True):
            if kept + size <= self.max_bytes:
                break
            drop.add(i)
            kept -= self._blocks[i].nbytes
        if kept + size > self.max_bytes:  # even without every free block: keep them, lend nothing
            return None
        self._blocks = [b for i, b in enumerate(self._blocks) if i not in drop]
        self._blocks.append(np.empty(size, dtype=np.uint8))
        self.allocated += 1
        return self._blocks[-1]
