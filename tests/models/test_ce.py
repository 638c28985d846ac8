"""The ce objective: hand-computed values, two separate means, weights, gradients."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from models.objectives import Batch, build_objective, list_objectives

CE_210 = 0.407606  # CE([2, 1, 0], y=0), ALGORITHMS.md §1.5
CE_000 = 1.098612  # CE([0, 0, 0], y=0)
CE_M533 = 8.693315  # CE([-5, 3, 3], y=0)


class Identity(nn.Module):
    """The input *is* the logits, so losses can be checked by hand."""

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return x, x


def labeled(rows: list[list[float]], labels: list[int], grad: bool = False) -> tuple[Tensor, Tensor]:
    return torch.tensor(rows, requires_grad=grad), torch.tensor(labels)


def test_ce_is_registered() -> None:
    assert "ce" in list_objectives()


def test_single_example_matches_the_worked_value() -> None:
    terms = build_objective("ce").terms(Identity(), Batch(source=labeled([[2.0, 1.0, 0.0]], [0])))
    assert float(terms.classification) == pytest.approx(CE_210, abs=1e-6)
    assert terms.alignment is None
    assert terms.logs == pytest.approx({"ce_source": CE_210}, abs=1e-6)


def test_source_and_target_are_two_separate_means() -> None:
    batch = Batch(
        source=labeled([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0, 0]),
        target_labeled=labeled([[-5.0, 3.0, 3.0]], [0]),
    )
    terms = build_objective("ce").terms(Identity(), batch)
    mean_s = (CE_210 + CE_000) / 2
    assert float(terms.classification) == pytest.approx(mean_s + CE_M533, abs=1e-5)
    assert float(terms.classification) != pytest.approx((CE_210 + CE_000 + CE_M533) / 3, abs=1e-2)
    assert terms.logs == pytest.approx({"ce_source": mean_s, "ce_target": CE_M533}, abs=1e-5)


def test_weights_scale_each_term() -> None:
    batch = Batch(
        source=labeled([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0, 0]),
        target_labeled=labeled([[-5.0, 3.0, 3.0]], [0]),
    )
    terms = build_objective("ce", source_weight=0.5, target_weight=2.0).terms(Identity(), batch)
    assert float(terms.classification) == pytest.approx(0.5 * (CE_210 + CE_000) / 2 + 2.0 * CE_M533, abs=1e-5)
    zero_source = build_objective("ce", source_weight=0.0).terms(Identity(), batch)
    assert float(zero_source.classification) == pytest.approx(CE_M533, abs=1e-5)


def test_only_target_and_the_gradient_of_each_mean() -> None:
    xs, ys = labeled([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0, 2], grad=True)
    xt, yt = labeled([[0.0, 0.0, 0.0]], [1], grad=True)
    objective = build_objective("ce", source_weight=3.0)
    terms = objective.terms(Identity(), Batch(source=(xs, ys), target_labeled=(xt, yt)))
    objective.backward(terms, [])
    # dCE/dz = softmax(z) - onehot(y); each sample of a mean of B gets 1/B of it, times its weight
    expected_s = 3.0 * (torch.softmax(xs.detach(), -1) - nn.functional.one_hot(ys, 3)) / 2
    expected_t = (torch.softmax(xt.detach(), -1) - nn.functional.one_hot(yt, 3)) / 1
    torch.testing.assert_close(xs.grad, expected_s)
    torch.testing.assert_close(xt.grad, expected_t)
    only_target = objective.terms(Identity(), Batch(target_labeled=labeled([[0.0, 0.0, 0.0]], [1])))
    assert float(only_target.classification) == pytest.approx(CE_000, abs=1e-6)
    assert set(only_target.logs) == {"ce_target"}


def test_no_labeled_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="source or a labeled-target"):
        build_objective("ce").terms(Identity(), Batch(target_unlabeled=torch.zeros(2, 3)))


@pytest.mark.parametrize(
    ("params", "error"),
    [({"source_weight": -1.0}, ValueError), ({"target_weight": "1"}, TypeError), ({"alpha": 1.0}, TypeError)],
)
def test_bad_parameters_are_refused(params: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        build_objective("ce", **params)
