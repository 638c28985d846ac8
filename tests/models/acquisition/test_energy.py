"""EADA scores and two-stage selection (ALGORITHMS.md §1.2-1.5)."""

from __future__ import annotations

import pytest
import torch

from models.acquisition.energy import eada, eada_candidate_count, eada_select, free_energy, mvsm
from tests.models.acquisition.helpers import DT, logits_ctx

TWO_STAGE = [
    [3, 0, 0], [1, 1, 0], [0.2, 0, 0], [2, 1.9, 0], [0, 0, 0],
    [5, 4, 0], [0.5, 0.4, 0.3], [-1, -1, -3], [1, 0.5, 0.5], [0, 0, 0],
]  # fmt: skip


class TestScores:
    @pytest.mark.parametrize(
        ("z", "f", "u"),
        [
            ([2, 1, 0], -2.407606, -1.0),
            ([0, 0, 0], -1.098612, 0.0),
            ([1000, 999, 0], -1000.313262, -1.0),
            ([-5, 3, 3], -3.693315, 0.0),
        ],
    )
    def test_table(self, z: list[float], f: float, u: float) -> None:
        logits = torch.tensor([z], dtype=DT)
        torch.testing.assert_close(free_energy(logits), torch.tensor([f], dtype=DT), atol=1e-6, rtol=0)
        torch.testing.assert_close(mvsm(logits), torch.tensor([u], dtype=DT), atol=1e-6, rtol=0)

    def test_two_stage_table(self) -> None:
        expected_f = [-3.094923, -1.861995, -1.169817, -2.713034, -1.098612,
                      -5.318175, -1.501943, 0.241376, -1.794377, -1.098612]  # fmt: skip
        logits = torch.tensor(TWO_STAGE, dtype=DT)
        torch.testing.assert_close(free_energy(logits), torch.tensor(expected_f, dtype=DT), atol=1e-6, rtol=0)
        expected_u = [-3.0, 0.0, -0.2, -0.1, 0.0, -1.0, -0.1, 0.0, -0.5, 0.0]
        torch.testing.assert_close(mvsm(logits), torch.tensor(expected_u, dtype=DT), atol=1e-12, rtol=0)

    def test_mvsm_is_a_logit_margin_not_bvsb(self) -> None:
        logits = torch.tensor([[1.0, 0, 0], [1.0, 0, -10]], dtype=DT)
        assert mvsm(logits).tolist() == [-1.0, -1.0]
        p = torch.softmax(logits, 1)
        torch.testing.assert_close(
            p[:, 0] - p[:, 1], torch.tensor([0.364175, 0.462112], dtype=DT), atol=1e-6, rtol=0
        )

    def test_single_class_refused(self) -> None:
        with pytest.raises(ValueError, match="C >= 2"):
            mvsm(torch.zeros(3, 1))


class TestTwoStage:
    def test_worked_example_picks_4_then_7(self) -> None:
        logits = torch.tensor(TWO_STAGE, dtype=DT)
        assert eada_candidate_count(2, 10, 10, 0.5) == 5
        assert eada_select(logits, 2, n_total=10, alpha1=0.5).tolist() == [4, 7]

    def test_strategy_components(self) -> None:
        sel = eada(logits_ctx(TWO_STAGE, n_total=10), 2)
        assert sel.indices.tolist() == [4, 7]
        torch.testing.assert_close(
            sel.components["free_energy"], torch.tensor([-1.098612, 0.241376], dtype=DT), atol=1e-6, rtol=0
        )
        assert sel.components["mvsm"].tolist() == [0.0, 0.0] == sel.scores.tolist()

    def test_sample_failing_stage_one_is_never_picked(self) -> None:
        # sample 1 has U = 0 but low free energy; with n1 = 5 it cannot be chosen at any budget <= 5
        logits = torch.tensor(TWO_STAGE, dtype=DT)
        for b in range(1, 6):
            assert 1 not in eada_select(logits, b, n_total=10).tolist()

    def test_n_total_defaults_to_pool_size(self) -> None:
        assert eada(logits_ctx(TWO_STAGE), 2).indices.tolist() == [4, 7]

    def test_exact_budget_arithmetic(self) -> None:
        # the float pitfall (§0.3-3): math.ceil(0.07 * 100) is 8, because 0.07 * 100 = 7.000000000000001
        assert eada_candidate_count(1, 1000, 100, 0.07) == 7

    def test_candidate_count_uses_the_whole_target_set_not_the_shrunk_pool(self) -> None:
        # §1.3 / §7-8: N_total is fixed at the start. A later round: 4 of N_total = 10 items are
        # labeled, 6 remain, so n1 = ceil(0.5 * 10) = 5 (not ceil(0.5 * 6) = 3). Hand-computed:
        #   i  z           F = -logsumexp(z)   U = z(2) - z(1)
        #   0  [0.1, 0]    -0.744397           -0.1
        #   1  [0.2, 0]    -0.798139           -0.2
        #   2  [0.3, 0]    -0.854355           -0.3
        #   3  [1, 1]      -1.693147            0.0
        #   4  [3, 0]      -3.048587           -3.0
        #   5  [5, 0]      -5.006715           -5.0
        # by F, candidates {0..4} (n1 = 5) or {0, 1, 2} (n1 = 3); the top U among them: 3, or 0.
        pool = [[0.1, 0], [0.2, 0], [0.3, 0], [1, 1], [3, 0], [5, 0]]
        expected_f = [-0.744397, -0.798139, -0.854355, -1.693147, -3.048587, -5.006715]
        torch.testing.assert_close(
            free_energy(torch.tensor(pool, dtype=DT)), torch.tensor(expected_f, dtype=DT), atol=1e-6, rtol=0
        )
        assert eada(logits_ctx(pool, n_total=10), 1).indices.tolist() == [3]
        assert eada(logits_ctx(pool, n_total=6), 1).indices.tolist() == [0]

    def test_candidates_at_least_budget_and_at_most_pool(self) -> None:
        assert eada_candidate_count(9, 100, 10, 0.5) == 9
        assert eada_candidate_count(2, 3, 1000, 0.5) == 3

    @pytest.mark.parametrize("alpha1", [0.0, -0.1, 1.5])
    def test_alpha_out_of_range(self, alpha1: float) -> None:
        with pytest.raises(ValueError, match="alpha1"):
            eada_candidate_count(1, 10, 10, alpha1)

    def test_direction_target_like_and_uncertain_first(self) -> None:
        # all candidates pass stage 1 (alpha1 = 1); the most uncertain (U closest to 0) comes first
        sel = eada(logits_ctx([[3, 0], [0.1, 0], [1, 0]]), 1, alpha1=1.0)
        assert sel.indices.tolist() == [1]
        # stage 1 removes the uncertain but confident-magnitude sample 0 ([10, 10] has low F)
        sel = eada(logits_ctx([[10, 10], [0.5, 0], [1, 0]], n_total=2), 1, alpha1=0.5)
        assert sel.indices.tolist() == [1]
