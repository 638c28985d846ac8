"""The worker's output cache: one pass per checkpoint and pool, its memory reused by later passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from models.networks import build_network
from service.storage import BlobStore
from workers import models_io
from workers.models_io import CheckpointRef, cached_outputs


def ref(checkpoint_id: int) -> CheckpointRef:
    return CheckpointRef(checkpoint_id, "mlp", {}, f"checkpoints/{checkpoint_id}.safetensors")


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path)


@pytest.fixture
def network() -> torch.nn.Module:
    torch.manual_seed(0)
    return build_network("mlp", input_shape=[1, 4, 4], num_classes=3, hidden=[8]).eval()


X = torch.rand(40, 1, 4, 4, generator=torch.Generator().manual_seed(1))


def never() -> torch.nn.Module:
    raise AssertionError("the cached outputs should have been read, not recomputed")


def test_a_pass_is_computed_once_then_read(store: BlobStore, network: torch.nn.Module) -> None:
    first = cached_outputs(store, ref(1), 7, lambda: X, lambda: network)
    again = cached_outputs(store, ref(1), 7, lambda: X, never)
    torch.testing.assert_close(again.logits, first.logits, rtol=0, atol=0)
    torch.testing.assert_close(again.features, first.features, rtol=0, atol=0)
    assert first.features.shape == (40, 8)


def test_a_logits_only_pass_is_redone_once_for_features(store: BlobStore, network: torch.nn.Module) -> None:
    logits_only = cached_outputs(store, ref(2), 7, lambda: X, lambda: network, features=False)
    assert logits_only.features.shape == (40, 0)
    assert cached_outputs(store, ref(2), 7, lambda: X, never, features=False).features.shape == (40, 0)
    full = cached_outputs(store, ref(2), 7, lambda: X, lambda: network)
    assert full.features.shape == (40, 8)
    assert cached_outputs(store, ref(2), 7, lambda: X, never).features.shape == (40, 8)


def test_a_later_pass_writes_into_memory_an_earlier_one_let_go_of(
    store: BlobStore, network: torch.nn.Module
) -> None:
    models_io.output_buffers.cache_clear()
    try:
        held = cached_outputs(store, ref(3), 7, lambda: X, lambda: network)  # COD: still held
        dropped = cached_outputs(store, ref(4), 7, lambda: X * 2, lambda: network)
        ptr = dropped.features.data_ptr()
        assert ptr != held.features.data_ptr()
        del dropped
        later = cached_outputs(store, ref(5), 7, lambda: X * 3, lambda: network)
        buffers = models_io.output_buffers()
        assert (buffers.allocated, buffers.reused) == (4, 2)  # two passes' logits + features, then reuse
        assert later.features.data_ptr() == ptr
        plain = network(X * 3)
        torch.testing.assert_close(later.features, plain[1].detach(), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(held.features, network(X)[1].detach(), rtol=1e-6, atol=1e-6)
    finally:
        models_io.output_buffers.cache_clear()
