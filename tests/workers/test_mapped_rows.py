"""MappedRows: pool rows read from the memory-mapped blobs on demand, in any order, across pools;
a forward pass over a pool copies one batch of it at a time, never the pool."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import torch

from models.inference import predict
from models.networks import build_network
from service.storage import BlobStore
from workers.data import MappedRows, gather


def _pool(store: BlobStore, pool_id: int, x: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, x)
    return store.write_bytes(f"pools/{pool_id}/x.npy", buf.getvalue())


@pytest.fixture
def two_pools(tmp_path: Path) -> tuple[BlobStore, dict[int, str], dict[int, np.ndarray]]:
    store = BlobStore(tmp_path)
    rng = np.random.default_rng(0)
    arrays = {
        7: rng.normal(size=(30, 2, 3)).astype(np.float32),
        9: rng.normal(size=(12, 2, 3)).astype(np.float32),
    }
    return store, {p: _pool(store, p, x) for p, x in arrays.items()}, arrays


def test_rows_across_pools_in_the_order_given(two_pools) -> None:  # type: ignore[no-untyped-def]
    store, blobs, arrays = two_pools
    pairs = [(9, 11), (7, 0), (7, 29), (9, 0), (7, 5), (9, 3)]
    rows = MappedRows.of(store, blobs, pairs)
    expected = np.stack([arrays[p][r] for p, r in pairs])
    assert len(rows) == 6
    assert np.array_equal(rows[:].numpy(), expected)
    assert np.array_equal(rows[2:5].numpy(), expected[2:5])
    shuffled = torch.tensor([5, 0, 3, 3])
    assert np.array_equal(rows[shuffled].numpy(), expected[[5, 0, 3, 3]])
    assert np.array_equal(gather(store, blobs, pairs).numpy(), expected)
    assert all(isinstance(a, np.memmap) for a in rows.arrays.values())  # mapped, not loaded


def test_a_whole_pool_is_its_rows_in_order(two_pools) -> None:  # type: ignore[no-untyped-def]
    store, blobs, arrays = two_pools
    rows = MappedRows.pool(store, 7, blobs[7])
    assert len(rows) == 30 and np.array_equal(rows[10:20].numpy(), arrays[7][10:20])


def test_a_pass_over_a_mapped_pool_never_copies_the_pool(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    n, d = 100_000, 128  # a 51 MB pool
    x = np.lib.format.open_memmap(tmp_path / "big.npy", mode="w+", dtype=np.float32, shape=(n, d))
    x[:] = 0.5
    x.flush()
    blob = "big.npy"
    torch.manual_seed(0)
    net = build_network("mlp", input_shape=[d], num_classes=3, hidden=[8])
    rows = MappedRows.pool(store, 1, blob)
    tracemalloc.start()  # numpy reports its buffers to tracemalloc (torch's own do not count)
    try:
        out = predict(net, rows, batch_size=1024, features=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.logits.shape == (n, 3)
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MB traced: more than a few batches of the 51 MB pool"
    assert torch.equal(out.logits[:5], predict(net, torch.full((5, d), 0.5)).logits)


def test_slices_of_a_whole_pool_read_the_rows_the_general_path_reads(two_pools) -> None:  # type: ignore[no-untyped-def]
    store, blobs, arrays = two_pools
    whole = MappedRows.pool(store, 7, blobs[7])
    general = MappedRows.of(store, blobs, [(7, r) for r in range(30)])  # no slice shortcut
    for part in (slice(0, 30), slice(4, 9), slice(25, 99), slice(30, 40)):
        fast = whole[part]
        assert fast.dtype == torch.float32 and torch.equal(fast, general[part]), part
    out = whole[0:5]
    out += 1.0  # the caller's own memory, not a view of the read-only map
    assert np.array_equal(whole[0:5].numpy(), arrays[7][0:5])


def test_uint8_pools_read_as_values_over_255(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from service.storage import BlobStore
    from workers.data import MappedRows

    store = BlobStore(tmp_path)
    x = np.array([[[0, 51]], [[255, 102]]], dtype=np.uint8)  # 2 items of shape [1, 2]
    with store.atomic_path("pools/1/x.npy") as tmp, open(tmp, "wb") as fh:
        np.save(fh, x)
    rows = MappedRows.pool(store, 1, "pools/1/x.npy")
    expected = [[[0.0, 0.2]], [[1.0, 0.4]]]
    assert rows[0:2].dtype == torch.float32 and np.allclose(rows[0:2].numpy(), expected)
    assert np.allclose(rows[torch.tensor([1, 0])].numpy(), expected[::-1])
