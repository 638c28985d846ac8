"""k-center greedy, CoreSet, FORGE selection, k-means++ and BADGE (§3.3, §6.1, §6.2)."""

from __future__ import annotations

import pytest
import torch

from models.acquisition import AcquisitionContext, PoolOutputs
from models.acquisition.badge import badge
from models.acquisition.coreset import coreset
from models.acquisition.forge import forge
from models.acquisition.kcenter import kcenter_greedy
from models.acquisition.kmeanspp import kmeanspp_probabilities, kmeanspp_seeding
from models.acquisition.kronecker import KronPoints
from tests.models.acquisition.helpers import DT

LINE = torch.tensor([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0], [6.0, 0.0], [10.0, 0.0]], dtype=DT)


def feature_ctx(
    features: torch.Tensor, labeled: torch.Tensor | None = None, seed: int = 0
) -> AcquisitionContext:
    logits = torch.zeros(len(features), 3, dtype=DT)
    return AcquisitionContext(
        PoolOutputs(logits, features), torch.Generator().manual_seed(seed), labeled_features=labeled
    )


class TestKCenter:
    def test_worked_example_order_4_2_1(self) -> None:
        # labeled {0}: the labeled point is the initial centre, the pool is the other four
        pool, labeled = LINE[1:], LINE[:1]
        idx, dist = kcenter_greedy(KronPoints.plain(pool), 3, initial=KronPoints.plain(labeled))
        assert (idx + 1).tolist() == [4, 2, 1]
        assert dist.tolist() == [10.0, 5.0, 1.0]

    def test_worked_example_through_coreset(self) -> None:
        sel = coreset(feature_ctx(LINE[1:], labeled=LINE[:1]), 3)
        assert (sel.indices + 1).tolist() == [4, 2, 1]
        assert sel.components["min_distance"].tolist() == [10.0, 5.0, 1.0]

    def test_first_rules_without_labeled(self) -> None:
        assert coreset(feature_ctx(LINE), 1, first="index0").indices.tolist() == [0]
        sel = coreset(feature_ctx(LINE), 2, first="max_norm")
        assert sel.indices.tolist() == [4, 0]
        assert sel.scores.tolist() == [10.0, 10.0]  # first pick: the covering radius it leaves
        picks = {coreset(feature_ctx(LINE, seed=s), 1).indices.item() for s in range(20)}
        assert len(picks) > 1  # "random" uses the generator

    def test_duplicates_never_picked_twice(self) -> None:
        points = torch.zeros(4, 2, dtype=DT)
        sel = coreset(feature_ctx(points), 4, first="index0")
        assert sel.indices.tolist() == [0, 1, 2, 3]
        assert sel.scores.tolist() == [0.0, 0.0, 0.0, 0.0]

    def test_chunked_equals_unchunked(self) -> None:
        gen = torch.Generator().manual_seed(0)
        x, labeled = torch.randn(40, 3, dtype=DT, generator=gen), torch.randn(6, 3, dtype=DT, generator=gen)
        init = KronPoints.plain(labeled)
        a = kcenter_greedy(KronPoints.plain(x), 8, initial=init)
        b = kcenter_greedy(KronPoints.plain(x), 8, initial=init, max_elements=3)
        assert a[0].tolist() == b[0].tolist()
        torch.testing.assert_close(a[1], b[1])

    def test_farthest_point_first(self) -> None:
        x = torch.tensor([[0.0, 0.0], [3.0, 4.0], [-1.0, 0.0], [0.0, 2.0]], dtype=DT)
        idx, dist = kcenter_greedy(KronPoints.plain(x), 2, first=0)
        assert idx.tolist() == [0, 1] and dist.tolist() == [5.0, 5.0]

    def test_progress_reported(self) -> None:
        seen: list[float] = []
        kcenter_greedy(KronPoints.plain(LINE), 5, first=0, progress=seen.append)
        assert seen[-1] == 1.0 and seen == sorted(seen)

    def test_unknown_first_rule(self) -> None:
        with pytest.raises(ValueError, match="first-centre"):
            coreset(feature_ctx(LINE), 1, first="middle")  # type: ignore[arg-type]


class TestForgeSelection:
    def test_farthest_in_phi_space_second(self) -> None:
        # same u for all (same logits): distances scale with |h_i - h_j|
        logits = torch.tensor([[2.0, 1.0, 0.0]] * 4, dtype=DT)
        h = torch.tensor([[0.0, 0.0], [1.0, 0.0], [9.0, 0.0], [3.0, 0.0]], dtype=DT)
        ctx = AcquisitionContext(PoolOutputs(logits, h), torch.Generator().manual_seed(0))
        sel = forge(ctx, 3, first="index0")
        assert sel.indices.tolist() == [0, 2, 3]
        torch.testing.assert_close(sel.scores[1:], torch.tensor([9.0, 3.0], dtype=DT) * 3**0.5)


class TestKMeansPP:
    def test_worked_example_probabilities(self) -> None:
        points = KronPoints.plain(torch.tensor([[0.0], [1.0], [3.0], [-2.0]], dtype=DT))
        first = int(points.sqnorms().argmax())
        assert first == 2
        d2 = (points.b[:, 0] - points.b[first, 0]).pow(2)
        assert d2.sqrt().tolist() == [3.0, 2.0, 0.0, 5.0]
        chosen = torch.tensor([False, False, True, False])
        probs = kmeanspp_probabilities(d2, chosen)
        torch.testing.assert_close(
            probs, torch.tensor([0.236842, 0.105263, 0.0, 0.657895], dtype=DT), atol=1e-6, rtol=0
        )

    def test_uniform_fallback_when_all_distances_zero(self) -> None:
        probs = kmeanspp_probabilities(torch.zeros(4, dtype=DT), torch.tensor([True, False, False, False]))
        assert probs.tolist() == [0.0, 1 / 3, 1 / 3, 1 / 3]

    def test_weighted(self) -> None:
        probs = kmeanspp_probabilities(
            torch.tensor([1.0, 1.0, 4.0], dtype=DT),
            torch.zeros(3, dtype=torch.bool),
            torch.tensor([2.0, 0.0, 0.5], dtype=DT),
        )
        assert probs.tolist() == [0.5, 0.0, 0.5]

    def test_seeding_distinct_and_seeded(self) -> None:
        points = KronPoints.plain(torch.zeros(6, 2, dtype=DT))  # all D = 0: uniform fallback
        a = kmeanspp_seeding(points, 6, first=0, generator=torch.Generator().manual_seed(3))[0]
        b = kmeanspp_seeding(points, 6, first=0, generator=torch.Generator().manual_seed(3))[0]
        assert sorted(a.tolist()) == list(range(6)) and a.tolist() == b.tolist()


class TestBadge:
    def test_first_centre_is_largest_gradient(self) -> None:
        logits = torch.tensor([[9.0, 0.0, 0.0], [2.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=DT)
        h = torch.tensor([[3.0, 4.0], [3.0, 4.0], [1.0, 0.0]], dtype=DT)
        sel = badge(AcquisitionContext(PoolOutputs(logits, h), torch.Generator().manual_seed(0)), 2)
        assert sel.indices[0].item() == 1
        assert sel.scores[0].item() == pytest.approx(2.121681, abs=1e-6)
        assert sel.components["grad_norm"][0].item() == pytest.approx(2.121681, abs=1e-6)

    def test_second_centre_follows_d2(self) -> None:
        # first = largest ||g|| = point 0; point 2 then has D² 361x larger than point 1
        logits = torch.tensor([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], dtype=DT)
        h = torch.tensor([[10.0, 0.0], [9.5, 0.0], [0.5, 0.0]], dtype=DT)
        seconds = [
            badge(AcquisitionContext(PoolOutputs(logits, h), torch.Generator().manual_seed(s)), 2)
            .indices[1]
            .item()
            for s in range(30)
        ]
        assert seconds.count(2) >= 27
