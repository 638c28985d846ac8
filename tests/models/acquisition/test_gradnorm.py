"""Gradient-norm scores: closed form, detach pitfall, full per-sample gradients (§2, §0.3-7)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from models.acquisition.gradnorm import (
    entropy_logit_grad,
    expected_loss_logit_grad,
    gradnorm,
    last_layer_gradnorm,
)
from models.acquisition.persample import per_sample_gradnorm
from tests.models.acquisition.helpers import DT, ClassifierOnly, TwoLayer, logits_ctx, outputs

H = torch.tensor([[3.0, 4.0]], dtype=DT)


class TestClosedForm:
    def test_binary_ln3(self) -> None:
        z = torch.tensor([[math.log(3), 0.0]], dtype=DT)
        g = entropy_logit_grad(z)
        torch.testing.assert_close(g, torch.tensor([[-0.205990, 0.205990]], dtype=DT), atol=1e-6, rtol=0)
        assert g[0, 0].item() == pytest.approx(-math.log(3) * 0.1875, abs=1e-12)  # binary shortcut
        assert g.norm().item() == pytest.approx(0.291314, abs=1e-6)
        self._scores(z, 1.456568, 1.747881, 1.485414)

    def test_three_classes(self) -> None:
        z = torch.tensor([[2.0, 1.0, 0.0]], dtype=DT)
        g = entropy_logit_grad(z)
        torch.testing.assert_close(
            g, torch.tensor([[-0.282587, 0.140770, 0.141817]], dtype=DT), atol=1e-6, rtol=0
        )
        self._scores(z, 1.730492, 2.076590, 1.764762)

    def test_uniform_prediction_scores_zero(self) -> None:
        z = torch.zeros(1, 2, dtype=DT)
        assert entropy_logit_grad(z).tolist() == [[0.0, 0.0]]
        self._scores(z, 0.0, 0.0, 0.0)

    @staticmethod
    def _scores(z: torch.Tensor, w_only: float, layer_sum: float, global_: float) -> None:
        got = [
            last_layer_gradnorm(z, H, bias=False),
            last_layer_gradnorm(z, H, norm_mode="layer_sum"),
            last_layer_gradnorm(z, H, norm_mode="global"),
        ]
        for value, want in zip(got, [w_only, layer_sum, global_], strict=True):
            assert value.item() == pytest.approx(want, abs=1e-6)

    def test_rows_sum_to_zero_and_match_autograd(self) -> None:
        z = 3 * torch.randn(50, 5, dtype=DT, generator=torch.Generator().manual_seed(1))
        g = entropy_logit_grad(z)
        torch.testing.assert_close(g.sum(1), torch.zeros(50, dtype=DT), atol=1e-14, rtol=0)
        torch.testing.assert_close(expected_loss_logit_grad(z, detach_weights=False), g, atol=1e-12, rtol=0)

    def test_saturated_logits_stay_finite(self) -> None:
        z = torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float32)
        assert torch.isfinite(last_layer_gradnorm(z, torch.ones(1, 2))).all()


class TestDetachPitfall:
    def test_detached_expected_loss_gradient_is_zero(self) -> None:
        z = torch.tensor([[math.log(3), 0.0], [0.0, 0.0], [5.0, -2.0]], dtype=DT)
        detached = expected_loss_logit_grad(z, detach_weights=True)
        # Σ_i p_i (p - e_i) = p - p: zero up to one float64 rounding of Σ p (mathematically exact)
        assert detached.abs().max().item() <= 4 * torch.finfo(DT).eps
        assert detached[1].tolist() == [0.0, 0.0]
        attached = expected_loss_logit_grad(z, detach_weights=False)
        assert attached[0].norm().item() == pytest.approx(0.291314, abs=1e-6)


def _loop_gradnorm(model: nn.Module, x: torch.Tensor, norm_mode: str) -> torch.Tensor:
    """Reference: batch size 1 with plain autograd, as in the AL-GradNorm code."""
    model.eval()
    scores = []
    for i in range(len(x)):
        logits, _ = model(x[i : i + 1])
        logp = torch.log_softmax(logits, 1)
        loss = -(logp.exp() * logp).sum()
        grads = torch.autograd.grad(loss, list(model.parameters()))
        norms = torch.stack([g.norm() for g in grads])
        scores.append(norms.sum() if norm_mode == "layer_sum" else norms.pow(2).sum().sqrt())
    return torch.stack(scores)


class TestFullScope:
    @pytest.mark.parametrize("norm_mode", ["layer_sum", "global"])
    @pytest.mark.parametrize("bias", [True, False])
    def test_classifier_only_equals_closed_form(self, norm_mode: str, bias: bool) -> None:
        torch.manual_seed(0)
        model = ClassifierOnly(bias=bias).to(DT)
        x = torch.randn(11, 5, dtype=DT)
        full = per_sample_gradnorm(model, x, norm_mode=norm_mode, chunk_size=4)  # type: ignore[arg-type]
        out = outputs(model, x)
        closed = last_layer_gradnorm(out.logits, out.features, norm_mode=norm_mode, bias=bias)  # type: ignore[arg-type]
        torch.testing.assert_close(full, closed, atol=1e-12, rtol=1e-10)

    @pytest.mark.parametrize("norm_mode", ["layer_sum", "global"])
    def test_two_layer_equals_per_sample_loop(self, norm_mode: str) -> None:
        torch.manual_seed(0)
        model = TwoLayer().to(DT)
        x = torch.randn(9, 6, dtype=DT)
        full = per_sample_gradnorm(model, x, norm_mode=norm_mode, chunk_size=4)  # type: ignore[arg-type]
        torch.testing.assert_close(full, _loop_gradnorm(model, x, norm_mode), atol=1e-12, rtol=1e-10)

    def test_chunk_size_does_not_change_scores(self) -> None:
        torch.manual_seed(0)
        model = TwoLayer().to(DT)
        x = torch.randn(10, 6, dtype=DT)
        a = per_sample_gradnorm(model, x, chunk_size=1)
        torch.testing.assert_close(per_sample_gradnorm(model, x, chunk_size=32), a, atol=1e-13, rtol=0)

    def test_eval_mode_used_and_restored(self) -> None:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.9))
        net = _WithDropout(model).to(DT)
        net.train()
        x = torch.randn(5, 6, dtype=DT)
        a, b = per_sample_gradnorm(net, x), per_sample_gradnorm(net, x)
        torch.testing.assert_close(a, b)  # dropout off while scoring
        assert net.training and model[1].training

    def test_strategy_full_needs_model(self) -> None:
        ctx = logits_ctx([[1.0, 0.0], [0.0, 0.0]])
        with pytest.raises(ValueError, match="scope='full' needs ctx.model"):
            gradnorm(ctx, 1)
        assert gradnorm(ctx, 1, scope="last_layer").indices.tolist() == [0]

    def test_unknown_modes_refused(self) -> None:
        ctx = logits_ctx([[1.0, 0.0]])
        with pytest.raises(ValueError, match="scope"):
            gradnorm(ctx, 1, scope="everything")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="norm_mode"):
            gradnorm(ctx, 1, scope="last_layer", norm_mode="l1")  # type: ignore[arg-type]


class _WithDropout(nn.Module):
    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.classifier = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.classifier(h), h


class TestDirection:
    def test_largest_gradient_first_not_most_uncertain(self) -> None:
        # uniform [0, 0] has zero gradient; intermediate confidence [ln 3, 0] has the largest
        h = torch.tensor([[3.0, 4.0]] * 3, dtype=DT)
        ctx = logits_ctx([[0.0, 0.0], [math.log(3), 0.0], [8.0, 0.0]], features=h)
        sel = gradnorm(ctx, 3, scope="last_layer")
        assert sel.indices.tolist() == [1, 2, 0]
        assert sel.scores[0].item() == pytest.approx(1.747881, abs=1e-6)
        assert sel.scores[-1].item() == 0.0
