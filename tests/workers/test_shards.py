"""Shards of a pool's forward pass: whole batches, cached one blob each, gathered exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.inference import predict
from models.networks import build_network
from models.rows import RowSlice
from service.storage import BlobStore
from workers.models_io import CheckpointRef
from workers.scoring import OutputSource
from workers.shards import Passes, missing, shard_ranges

N = 1000
SHARDED = Passes(device="cpu", shard_rows=256)


def test_shard_ranges_are_whole_batches_covering_every_row() -> None:
    assert shard_ranges(1000, 256) == [(0, 256), (256, 512), (512, 768), (768, 1000)]
    assert shard_ranges(1000, 600) == [(0, 512), (512, 1000)]  # rounded down to whole batches
    assert shard_ranges(1000, 100) == shard_ranges(1000, 256)  # never less than a batch
    assert shard_ranges(1000, 5000) == [(0, 1000)]
    assert shard_ranges(0, 256) == [(0, 0)]


def test_a_row_slice_reads_its_rows_of_the_whole() -> None:
    rows = torch.arange(20.0).reshape(10, 2)
    part = RowSlice(rows, 3, 8)
    assert len(part) == 5
    assert torch.equal(part[0:2], rows[3:5])
    assert torch.equal(part[4:99], rows[7:8])  # clipped at the slice's end, not the whole's
    assert torch.equal(part[torch.tensor([0, 4])], rows[[3, 7]])
    with pytest.raises(ValueError, match="outside"):
        RowSlice(rows, 4, 11)


@pytest.fixture
def pool(tmp_path: Path) -> tuple[BlobStore, np.ndarray]:
    store = BlobStore(tmp_path)
    x = np.random.default_rng(0).normal(size=(N, 6)).astype(np.float32)
    with store.atomic_path("pools/1.npy") as tmp, open(tmp, "wb") as f:
        np.save(f, x)
    return store, x


def test_outputs_gathered_from_shards_equal_one_pass_and_are_read_back(
    pool: tuple[BlobStore, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, x = pool
    torch.manual_seed(0)
    net = build_network("mlp", input_shape=[6], num_classes=4, hidden=[32]).eval()
    ref = CheckpointRef(5, "mlp", {}, "unused")
    whole = predict(net, torch.from_numpy(x))
    blobs = {1: "pools/1.npy"}
    assert len(missing(store, ref, blobs, {1}, SHARDED, features=True)) == 4

    loads = []
    source = OutputSource(store, ref, blobs, torch.device("cpu"), passes=SHARDED)
    monkeypatch.setattr(source, "model", lambda: loads.append(1) or net)
    out = source.rows([(1, r) for r in range(N)])
    assert torch.equal(out.logits, whole.logits) and torch.equal(out.features, whole.features)
    assert missing(store, ref, blobs, {1}, SHARDED, features=True) == []
    assert sorted(k for k, _ in store.listing("outputs/checkpoint-5")) == sorted(
        f"outputs/checkpoint-5/pool-1-rows-{lo}-{hi}.safetensors" for lo, hi in shard_ranges(N, 256)
    )

    # a worker that finds every shard cached computes nothing
    again = OutputSource(store, ref, blobs, torch.device("cpu"), passes=SHARDED)
    monkeypatch.setattr(again, "model", lambda: pytest.fail("every shard is cached"))
    assert torch.equal(again.rows([(1, 300), (1, 999)]).logits, whole.logits[[300, 999]])


def test_a_lower_precision_pass_is_cached_apart_from_float32(pool: tuple[BlobStore, np.ndarray]) -> None:
    store, x = pool
    torch.manual_seed(0)
    net = build_network("mlp", input_shape=[6], num_classes=4, hidden=[32]).eval()
    ref = CheckpointRef(6, "mlp", {}, "unused")
    blobs = {1: "pools/1.npy"}
    rows = [(1, r) for r in range(N)]
    out = {}
    for precision in ("float32", "bfloat16"):
        passes = Passes(device="cpu", shard_rows=512, precision=precision)
        source = OutputSource(store, ref, blobs, torch.device("cpu"), passes=passes)
        source.model = lambda: net  # type: ignore[method-assign]
        out[precision] = source.rows(rows).logits
        assert missing(store, ref, blobs, {1}, passes, features=True) == []
    assert not torch.equal(out["float32"], out["bfloat16"])
    torch.testing.assert_close(out["bfloat16"], out["float32"], rtol=0.05, atol=0.05)
    keys = {k.rsplit("/", 1)[1] for k, _ in store.listing("outputs/checkpoint-6")}
    assert keys == {
        "pool-1-rows-0-512.safetensors",
        "pool-1-rows-512-1000.safetensors",
        "pool-1-rows-0-512-bfloat16.safetensors",
        "pool-1-rows-512-1000-bfloat16.safetensors",
    }
