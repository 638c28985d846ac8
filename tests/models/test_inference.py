from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from models.inference import predict
from models.networks import build_network


class TinyBN(nn.Module):
    """Linear -> BatchNorm -> Dropout -> classifier: eval and train modes differ."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.BatchNorm1d(8), nn.Dropout(0.5))
        self.classifier = nn.Linear(8, 3)
        self.feature_dim = 8

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.body(x)
        return self.classifier(h), h


@pytest.fixture
def model() -> TinyBN:
    torch.manual_seed(0)
    m = TinyBN()
    m.train()
    m(torch.randn(32, 12))  # non-trivial running statistics
    return m


def test_predict_equals_a_plain_eval_loop_and_restores_mode(model: TinyBN) -> None:
    x = torch.randn(10, 3, 4)
    stats = model.body[2].running_mean.clone()
    out = predict(model, x, batch_size=4)
    assert model.training
    torch.testing.assert_close(model.body[2].running_mean, stats, rtol=0, atol=0)
    model.eval()
    with torch.no_grad():
        z, h = model(x)
    torch.testing.assert_close(out.logits, z)
    torch.testing.assert_close(out.features, h)
    assert out.logits.dtype == torch.float32 and out.logits.device.type == "cpu"
    assert not out.logits.requires_grad


def test_progress_is_monotone_and_ends_at_n(model: TinyBN) -> None:
    calls: list[tuple[int, int]] = []
    predict(model, torch.randn(10, 12), batch_size=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3, 10), (6, 10), (9, 10), (10, 10)]


def test_batch_size_does_not_change_outputs() -> None:
    torch.manual_seed(0)
    net = build_network("lenet", num_classes=10, input_size=8)
    x = torch.randn(17, 1, 8, 8)
    ref = predict(net, x, batch_size=256)
    for bs in (1, 5):
        out = predict(net, x, batch_size=bs)
        torch.testing.assert_close(out.logits, ref.logits, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(out.features, ref.features, rtol=1e-5, atol=1e-5)


def test_uint8_inputs_are_scaled_to_unit_range(model: TinyBN) -> None:
    x = torch.randint(0, 256, (6, 12), dtype=torch.uint8)
    out_u8 = predict(model, x)
    out_f = predict(model, x.float() / 255.0)
    torch.testing.assert_close(out_u8.logits, out_f.logits)


def test_float64_inputs_give_float32_outputs(model: TinyBN) -> None:
    out = predict(model, torch.randn(4, 12, dtype=torch.float64))
    assert out.logits.dtype == torch.float32 and out.features.dtype == torch.float32


def test_empty_pool_gives_empty_outputs_with_the_right_widths(model: TinyBN) -> None:
    out = predict(model, torch.empty(0, 12))
    assert out.logits.shape == (0, 3) and out.features.shape == (0, 8)


@pytest.mark.parametrize("n", [0, 9])
def test_logits_only_pass_keeps_the_same_logits_and_no_features(model: TinyBN, n: int) -> None:
    x = torch.randn(n, 12)
    full, bare = predict(model, x, batch_size=4), predict(model, x, batch_size=4, features=False)
    assert torch.equal(bare.logits, full.logits)
    assert bare.features.shape == (n, 0) and full.features.shape == (n, 8)


def test_a_model_without_the_tuple_contract_is_refused() -> None:
    with pytest.raises(TypeError, match="tuple"):
        predict(nn.Linear(4, 2), torch.randn(3, 4))


def test_autocast_runs_the_network_in_bfloat16_and_stores_float32(model: TinyBN) -> None:
    x = torch.randn(40, 3, 4, generator=torch.Generator().manual_seed(2))
    full = predict(model, x, batch_size=16)
    half = predict(model, x, batch_size=16, autocast=torch.bfloat16)
    assert half.logits.dtype == half.features.dtype == torch.float32
    # bfloat16 keeps 8 bits of mantissa: close to float32, and not equal to it
    torch.testing.assert_close(half.logits, full.logits, rtol=0.05, atol=0.05)
    assert not torch.equal(half.logits, full.logits)
    # the rounding is that of bfloat16 matmuls: the plain bf16 computation gives the same logits
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        expected = model(x)[0].float()
    torch.testing.assert_close(half.logits, expected, rtol=0, atol=0)
