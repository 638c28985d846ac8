"""Row-wise log softmax and top-2 used by the uncertainty scores (stability, ties, equivalence)."""

from __future__ import annotations

import torch

from models.acquisition.numerics import entropy_from_logits, log_softmax_rows, top2_rows
from tests.models.acquisition.helpers import DT


def test_log_softmax_rows_equals_torch_and_is_stable() -> None:
    z = torch.randn(50, 7, dtype=DT, generator=torch.Generator().manual_seed(0)) * 30
    torch.testing.assert_close(log_softmax_rows(z), torch.log_softmax(z, dim=-1), rtol=0, atol=1e-12)
    big = torch.tensor([[1000.0, 999.0, 0.0]])
    out = log_softmax_rows(big)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, torch.log_softmax(big, dim=-1))
    assert entropy_from_logits(big).item() > 0


def test_top2_rows_equals_topk_with_repeated_maxima() -> None:
    z = torch.tensor([[3.0, 1.0, 3.0], [0.0, -1.0, 2.0], [5.0, 5.0, 5.0], [-4.0, -2.0, -3.0]])
    first, second = top2_rows(z)
    top = z.topk(2, dim=-1).values
    assert first.tolist() == top[:, 0].tolist() == [3.0, 2.0, 5.0, -2.0]
    assert second.tolist() == top[:, 1].tolist() == [3.0, 0.0, 5.0, -3.0]
