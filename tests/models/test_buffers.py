"""OutputBuffers lends memory again only when nothing made from it is alive."""

from __future__ import annotations

import gc

import pytest
import torch

from models.buffers import OutputBuffers
from models.inference import predict
from models.networks import build_network

MB = 1 << 20


def test_memory_is_reused_once_the_tensor_is_gone() -> None:
    buffers = OutputBuffers(16 * MB)
    t = buffers.empty((1000, 64))
    ptr = t.data_ptr()
    del t
    again = buffers.empty((1000, 64))
    assert again.data_ptr() == ptr
    assert (buffers.allocated, buffers.reused) == (1, 1)


@pytest.mark.parametrize("keep", ["view", "row", "numpy", "transpose"])
def test_anything_made_from_a_lent_tensor_keeps_its_memory_lent(keep: str) -> None:
    buffers = OutputBuffers(16 * MB)
    t = buffers.empty((100, 8))
    t.copy_(torch.arange(800.0).view(100, 8))
    held = t[10:20] if keep == "view" else t[5] if keep == "row" else t.numpy() if keep == "numpy" else t.T
    del t
    gc.collect()
    other = buffers.empty((100, 8))
    other.fill_(-1.0)  # must not land in the memory ``held`` still reads
    assert float(torch.as_tensor(held).min()) >= 0.0
    assert buffers.allocated == 2 and buffers.reused == 0


def test_two_passes_held_at_once_never_share_memory() -> None:
    """COD holds the current and the previous checkpoint's outputs together."""
    torch.manual_seed(0)
    model = build_network("mlp", input_shape=[1, 4, 4], num_classes=3, hidden=[8]).eval()
    x = torch.rand(50, 1, 4, 4)
    buffers = OutputBuffers(16 * MB)
    plain = predict(model, x, batch_size=7)
    first = predict(model, x, batch_size=7, buffers=buffers)
    second = predict(model, x * 2, batch_size=7, buffers=buffers)
    assert first.features.data_ptr() != second.features.data_ptr()
    assert first.logits.data_ptr() != second.logits.data_ptr()
    torch.testing.assert_close(first.logits, plain.logits, rtol=0, atol=0)
    torch.testing.assert_close(first.features, plain.features, rtol=0, atol=0)
    ptrs = {first.logits.data_ptr(), first.features.data_ptr()}
    del first
    third = predict(model, x, batch_size=7, buffers=buffers)  # takes the first pass's memory
    assert {third.logits.data_ptr(), third.features.data_ptr()} == ptrs
    torch.testing.assert_close(third.features, plain.features, rtol=0, atol=0)
    assert not torch.equal(second.features, third.features)


def test_a_small_request_does_not_take_a_much_larger_block() -> None:
    buffers = OutputBuffers(16 * MB)
    big = buffers.empty((1000, 100))
    ptr = big.data_ptr()
    del big
    small = buffers.empty((10, 100))
    assert small.data_ptr() != ptr and buffers.reused == 0
    half = buffers.empty((600, 100))  # 60 % of the free block: reused
    assert half.data_ptr() == ptr


def test_kept_memory_stays_under_the_cap() -> None:
    buffers = OutputBuffers(4 * MB)
    a = buffers.empty((MB // 4,))  # 1 MB of float32
    b = buffers.empty((MB // 4,))
    assert buffers.kept_bytes <= 4 * MB and buffers.allocated == 2
    del a
    too_big = buffers.empty((MB,))  # 4 MB: fresh memory, not kept; the free block stays
    assert buffers.allocated == 2 and too_big.numel() == MB and buffers.free_bytes > MB
    c = buffers.empty((MB // 2,))  # 2 MB: fits only without the free 1 MB block, which goes
    assert buffers.allocated == 3 and buffers.kept_bytes <= 4 * MB and buffers.free_bytes == 0
    del b, c
    assert buffers.free_bytes == buffers.kept_bytes > 0
    buffers.clear()
    assert buffers.kept_bytes == 0


def test_dtype_shape_alignment_and_empty_requests() -> None:
    buffers = OutputBuffers(MB)
    t = buffers.empty((3, 5, 7), dtype=torch.float64)
    assert t.shape == (3, 5, 7) and t.dtype == torch.float64 and t.is_contiguous()
    assert t.data_ptr() % 64 == 0
    assert buffers.empty((0, 5)).shape == (0, 5) and buffers.allocated == 1
    with pytest.raises(ValueError):
        OutputBuffers(-1)


def test_zero_cap_always_gives_fresh_memory() -> None:
    buffers = OutputBuffers(0)
    t = buffers.empty((10, 10))
    assert t.shape == (10, 10) and buffers.kept_bytes == 0
