"""select_topk: the first k of a stable descending sort, whichever path computes it."""

from __future__ import annotations

import pytest
import torch

from models.acquisition.base import select_topk, top_set


def full_sort(scores: torch.Tensor, k: int) -> list[int]:
    return torch.argsort(-scores, stable=True)[:k].tolist()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [0, 1, 3, 12, 50, 200])
def test_equals_full_stable_sort_with_many_ties(seed: int, k: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randint(0, 6, (200,), generator=gen).double()  # heavy ties at every cut
    assert select_topk(scores, k).tolist() == full_sort(scores, k)


def test_ties_at_the_cut_go_to_the_lower_index() -> None:
    scores = torch.zeros(100)
    scores[[90, 10]] = 1.0
    assert select_topk(scores, 4).tolist() == [10, 90, 0, 1]


def test_infinities_and_nan_lowest() -> None:
    scores = torch.tensor([0.5, -torch.inf, float("nan"), torch.inf] + [0.0] * 60)
    assert select_topk(scores, 2, nan="lowest").tolist() == [3, 0]
    with pytest.raises(ValueError, match="NaN"):
        select_topk(scores, 2)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [0, 1, 3, 12, 50, 199, 200, 250])
def test_top_set_is_the_same_set_in_pool_order(seed: int, k: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randint(0, 6, (200,), generator=gen).double()  # heavy ties at every cut
    scores[seed] = -torch.inf
    assert top_set(scores, k).tolist() == sorted(full_sort(scores, k))


def test_top_set_refuses_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        top_set(torch.tensor([1.0, float("nan")]), 1)
