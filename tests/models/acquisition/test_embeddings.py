"""FORGE and BADGE embeddings and the Kronecker distance identity (§0.3-5, §3.2, §3.4, §6.1)."""

from __future__ import annotations

import math

import pytest
import torch

from models.acquisition.embeddings import badge_embedding, forge_direction, forge_embedding, residual_factor
from models.acquisition.kronecker import KronPoints, kron_sqdist, min_sqdist, nearest_points
from tests.models.acquisition.helpers import DT

Z = torch.tensor([[2.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=DT)  # samples A and B
H = torch.tensor([[3.0, 4.0], [1.0, 0.0]], dtype=DT)


def dense(points: KronPoints) -> torch.Tensor:
    """Test-only: the explicit [N, A*B] embedding (row-major a ⊗ b)."""
    return torch.einsum("na,nb->nab", points.a, points.b).flatten(1)


class TestForge:
    def test_direction_of_a(self) -> None:
        u = forge_direction(Z)
        torch.testing.assert_close(
            u[0], torch.tensor([-0.788901, 0.576733, 0.212168], dtype=DT), atol=1e-6, rtol=0
        )
        torch.testing.assert_close(
            u[1], torch.tensor([0.408248, -0.816497, 0.408248], dtype=DT), atol=1e-6, rtol=0
        )
        assert (u[0] @ u[1]).item() == pytest.approx(-0.706350, abs=1e-6)

    def test_phi_a_values_and_norm(self) -> None:
        phi = dense(forge_embedding(Z, H))
        want = [-4.099248, -5.465664, 2.996790, 3.995721, 1.102458, 1.469943]
        torch.testing.assert_close(phi[0], torch.tensor(want, dtype=DT), atol=1e-6, rtol=0)
        assert phi[0].norm().item() == pytest.approx(8.660254, abs=1e-6)
        assert phi[0].norm().item() == pytest.approx(math.sqrt(3) * 5, abs=1e-12)

    def test_distance_a_b_identity_equals_explicit(self) -> None:
        points = forge_embedding(Z, H)
        identity = kron_sqdist(points.rows(0, 1), points.rows(1, 2)).sqrt().item()
        phi = dense(points)
        assert identity == pytest.approx(9.524406, abs=1e-6)
        assert (phi[0] - phi[1]).norm().item() == pytest.approx(identity, abs=1e-12)

    def test_saturation_no_nan(self) -> None:
        u = forge_direction(torch.tensor([[1000.0, 0.0, 0.0]], dtype=torch.float32))
        torch.testing.assert_close(u[0], torch.tensor([-0.816497, 0.408248, 0.408248]), atol=1e-6, rtol=0)

    def test_invariant_to_top_logit(self) -> None:
        u = forge_direction(torch.tensor([[2.0, 1.0, 0.0], [200.0, 1.0, 0.0]], dtype=DT))
        torch.testing.assert_close(u[0], u[1], atol=1e-15, rtol=0)

    def test_binary_two_logit_softmax(self) -> None:
        z = torch.tensor([[0.3, -1.0], [-2.0, 5.0]], dtype=DT)
        h = torch.tensor([[3.0, 4.0], [1.0, 2.0]], dtype=DT)
        for mode in ("global", "per_class_concat"):
            phi = dense(forge_embedding(z, h, mode=mode))  # type: ignore[arg-type]
            torch.testing.assert_close(
                phi[0], torch.tensor([-3.0, -4.0, 3.0, 4.0], dtype=DT), atol=1e-12, rtol=0
            )
            torch.testing.assert_close(
                phi[1], torch.tensor([1.0, 2.0, -1.0, -2.0], dtype=DT), atol=1e-12, rtol=0
            )

    def test_per_class_concat_and_bias(self) -> None:
        points = forge_embedding(Z, H, mode="per_class_concat", include_bias=True)
        assert points.a[0].tolist() == [-1.0, 1.0, 1.0]
        assert points.b[0].tolist() == [3.0, 4.0, 1.0]
        assert points.sqnorms()[0].item() == pytest.approx(3 * 26)

    def test_unknown_mode(self) -> None:
        with pytest.raises(ValueError, match="FORGE mode"):
            forge_embedding(Z, H, mode="blocks")  # type: ignore[arg-type]


class TestBadge:
    def test_embedding_norms_and_distance(self) -> None:
        points = badge_embedding(Z, H)
        g = dense(points)
        want = [-1.004277, -1.339036, 0.734185, 0.978914, 0.270092, 0.360122]
        torch.testing.assert_close(g[0], torch.tensor(want, dtype=DT), atol=1e-6, rtol=0)
        torch.testing.assert_close(
            points.sqnorms().sqrt(), torch.tensor([2.121681, 0.519149], dtype=DT), atol=1e-6, rtol=0
        )
        assert kron_sqdist(points.rows(0, 1), points.rows(1, 2)).sqrt().item() == pytest.approx(
            2.388445, abs=1e-6
        )
        assert (g[0] - g[1]).norm().item() == pytest.approx(2.388445, abs=1e-6)

    def test_residual_factor_is_p_minus_onehot(self) -> None:
        z = 4 * torch.randn(20, 5, dtype=DT, generator=torch.Generator().manual_seed(0))
        r, log_scale, yhat = residual_factor(z)
        want = torch.softmax(z, 1) - torch.nn.functional.one_hot(z.argmax(1), 5)
        torch.testing.assert_close(r * log_scale.exp()[:, None], want, atol=1e-14, rtol=1e-12)
        assert yhat.tolist() == z.argmax(1).tolist()

    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_residual_factor_of_a_saturated_softmax(self, dtype: torch.dtype) -> None:
        # p - e_ŷ = e^-1000 (-2, 1, 1) up to O(e^-2000): r exact, log scale = -1000 - log1p(2e^-1000)
        r, log_scale, yhat = residual_factor(torch.tensor([[1000.0, 0.0, 0.0], [0.0, 3.0, 3.0]], dtype=dtype))
        assert r[0].tolist() == [-2.0, 1.0, 1.0] and log_scale[0].item() == -1000.0
        assert yhat.tolist() == [0, 1]
        # second row: p = (e^-3, 1, 1) / (e^-3 + 2), ŷ = 1
        p = torch.softmax(torch.tensor([0.0, 3.0, 3.0], dtype=DT), 0)
        want = p - torch.tensor([0.0, 1.0, 0.0], dtype=DT)
        torch.testing.assert_close((r[1] * log_scale[1].exp()).to(DT), want, rtol=1e-6, atol=1e-7)

    def test_tied_top_logits_use_lower_class(self) -> None:
        _, _, yhat = residual_factor(torch.tensor([[-5.0, 3.0, 3.0]], dtype=DT))
        assert yhat.tolist() == [1]


class TestKroneckerDistances:
    def test_identity_matches_explicit_and_clamps(self) -> None:
        gen = torch.Generator().manual_seed(0)
        p = KronPoints(torch.randn(7, 3, dtype=DT, generator=gen), torch.randn(7, 4, dtype=DT, generator=gen))
        d2 = kron_sqdist(p, p)
        torch.testing.assert_close(d2, torch.cdist(dense(p), dense(p)).pow(2), atol=1e-10, rtol=0)
        assert (d2 >= 0).all()

    def test_chunked_min_equals_dense(self) -> None:
        gen = torch.Generator().manual_seed(1)
        pts = KronPoints.plain(torch.randn(23, 3, dtype=DT, generator=gen))
        cen = KronPoints.plain(torch.randn(9, 3, dtype=DT, generator=gen))
        full = kron_sqdist(pts, cen)
        val, arg = min_sqdist(pts, cen, max_elements=5)  # blocks of 5 centres x 1 row
        torch.testing.assert_close(val, full.min(1).values)
        assert arg.tolist() == full.argmin(1).tolist()

    def test_min_ties_go_to_lower_centre(self) -> None:
        pts = KronPoints.plain(torch.tensor([[0.0]], dtype=DT))
        cen = KronPoints.plain(torch.tensor([[2.0], [-1.0], [1.0]], dtype=DT))
        assert min_sqdist(pts, cen, max_elements=1)[1].tolist() == [1]

    def test_nearest_points_stable_across_blocks(self) -> None:
        pts = KronPoints.plain(torch.tensor([[1.0], [5.0], [-1.0], [0.5], [1.0], [-0.5]], dtype=DT))
        cen = KronPoints.plain(torch.tensor([[0.0], [1.0]], dtype=DT))
        idx, d2 = nearest_points(pts, cen, 4, max_elements=4)  # blocks of 2 points
        assert idx.tolist() == [[3, 5, 0, 2], [0, 4, 3, 5]]
        assert d2[0].tolist() == [0.25, 0.25, 1.0, 1.0]
