"""COD selection (§4.1, §4.3, §4.5): the distance, the output space, the first cycle, the subset."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor, nn

from models.acquisition import AcquisitionContext, PoolOutputs
from models.acquisition.cod import SUBSET, cod, output_distance, random_reference
from tests.models.acquisition.helpers import DT, ClassifierOnly, logits_ctx

COD = [0.1, 0.5, 0.5, 0.2]
F32 = torch.float32  # networks run in float32 (the reference's pass is models.inference.predict)


def distance_ctx(previous: bool) -> AcquisitionContext:
    """Logit space with zero previous logits: the COD of item i is exactly COD[i]."""
    logits = [[d, 0.0] for d in COD]
    prev = PoolOutputs(torch.zeros(4, 2, dtype=DT), torch.zeros(4, 2, dtype=DT)) if previous else None
    return logits_ctx(logits, previous=prev)


class ConstantInit(nn.Module):
    """A linear layer whose (re-)initialisation is known by hand: weight 0, bias [1, 0].

    Trained weights are whatever the test sets; ``reset_parameters`` (what COD's random
    reference runs, after the child's own reset) always gives logits [1, 0] for every input.
    """

    def __init__(self) -> None:
        super().__init__()
        self.classifier = nn.Linear(2, 2)

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.classifier.weight.zero_()
            self.classifier.bias.copy_(torch.tensor([1.0, 0.0]))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.classifier(x), x


def first_cycle_ctx(current: list[list[float]]) -> AcquisitionContext:
    """No previous outputs; the trained model maps x to logits z = x (identity weights)."""
    model = ConstantInit()
    with torch.no_grad():
        model.classifier.weight.copy_(torch.eye(2))
        model.classifier.bias.zero_()
    z = torch.tensor(current, dtype=DT)
    return AcquisitionContext(
        PoolOutputs(z, z[:, :0]), torch.Generator().manual_seed(0), model=model, inputs=z.to(F32)
    )


def test_distance_worked_example() -> None:
    d = output_distance(torch.tensor([[0.7, 0.2, 0.1]], dtype=DT), torch.tensor([[0.4, 0.4, 0.2]], dtype=DT))
    assert d.item() == pytest.approx(0.374166, abs=1e-6)
    assert 0.5 * d.item() ** 2 == pytest.approx(0.07, abs=1e-12)  # the code's ½Σd²


def test_softmax_space_through_strategy() -> None:
    current = [[math.log(0.7), math.log(0.2), math.log(0.1)], [0.0, 0.0, 0.0]]
    prev = torch.tensor([[math.log(0.4), math.log(0.4), math.log(0.2)], [0.0, 0.0, 0.0]], dtype=DT)
    sel = cod(logits_ctx(current, previous=PoolOutputs(prev, torch.zeros(2, 2, dtype=DT))), 2)
    assert sel.indices.tolist() == [0, 1]
    torch.testing.assert_close(sel.scores, torch.tensor([0.374166, 0.0], dtype=DT), atol=1e-6, rtol=0)


def test_softmax_and_logit_spaces_follow_the_definition() -> None:
    """D = ||f(x; w_c) - f(x; w_c-1)||: a shift of every logit by 1 moves no probability (softmax
    D = 0) but moves the logits by sqrt(C) (logit D = sqrt(3) = 1.732051); a real change moves both."""
    current = [[1.0, 2.0, 3.0], [0.0, 2.0, 0.0]]
    prev = PoolOutputs(
        torch.tensor([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]], dtype=DT), torch.zeros(2, 0, dtype=DT)
    )
    soft = cod(logits_ctx(current, previous=prev), 2, space="softmax")
    logit = cod(logits_ctx(current, previous=prev), 2, space="logits")
    # softmax([0, 2, 0]) = [1, e², 1] / (2 + e²); minus uniform 1/3 each
    e2 = math.exp(2.0)
    p = [1 / (2 + e2), e2 / (2 + e2), 1 / (2 + e2)]
    d_soft = math.sqrt(sum((pi - 1 / 3) ** 2 for pi in p))
    assert soft.indices.tolist() == [1, 0]
    torch.testing.assert_close(soft.scores, torch.tensor([d_soft, 0.0], dtype=DT), atol=1e-12, rtol=0)
    assert logit.indices.tolist() == [1, 0]  # 2.0 > sqrt(3) = 1.732: the shift counts in logit space
    torch.testing.assert_close(
        logit.scores, torch.tensor([2.0, math.sqrt(3.0)], dtype=DT), atol=1e-12, rtol=0
    )


def test_highest_with_index_tiebreak() -> None:
    sel = cod(distance_ctx(previous=True), 2, space="logits")
    assert sel.indices.tolist() == [1, 2]
    assert sel.components["distance"].tolist() == [0.5, 0.5]


def test_first_cycle_compares_with_a_reinitialised_network_and_keeps_the_lowest() -> None:
    """The code's cycle-0 rule (§4.3): reference = the network re-initialised (here logits [1, 0]
    for every input, softmax [e, 1] / (1 + e) = [0.731059, 0.268941]); the LOWEST distance wins.

    z = [0, 0] is the prediction closest to uniform, which the old uniform-limit rule picked; it
    is 0.231059 * sqrt(2) = 0.326766 from the reference. z = [1, 0] equals it (distance 0) and
    z = [2, 1] has the same softmax (distance 0 too; the tie goes to the lower index); [5, 0] is
    0.370875 away and [0, 3] 0.966803.
    """
    ctx = first_cycle_ctx([[0.0, 0.0], [5.0, 0.0], [2.0, 1.0], [1.0, 0.0], [0.0, 3.0]])
    sel = cod(ctx, 3)
    assert sel.indices.tolist() == [2, 3, 0]
    q = math.e / (1 + math.e)
    expected = [0.0, 0.0, math.sqrt(2) * (q - 0.5)]
    torch.testing.assert_close(
        sel.components["distance"], torch.tensor(expected, dtype=DT), atol=1e-6, rtol=0
    )
    assert torch.equal(sel.scores, -sel.components["distance"])  # higher score is still better
    assert expected[2] == pytest.approx(0.326766, abs=1e-6)


def test_first_cycle_logit_space_is_not_closest_to_zero() -> None:
    """In logit space the reference's logits [1, 0] are subtracted, not zero: ||z - [1, 0]||.

    [0, 0] (the old rule's pick, ||z|| = 0) is at distance 1; [1, 0] at 0; [2, 1] at sqrt(2)."""
    sel = cod(first_cycle_ctx([[0.0, 0.0], [2.0, 1.0], [1.0, 0.0]]), 2, space="logits")
    assert sel.indices.tolist() == [2, 0]
    torch.testing.assert_close(
        sel.components["distance"], torch.tensor([0.0, 1.0], dtype=DT), atol=1e-6, rtol=0
    )


def test_first_cycle_reference_is_seeded_from_the_generator_and_leaves_the_model() -> None:
    """A standard layer: the reference is ``nn.Linear``'s default init under a seed drawn from
    ctx.generator (built here independently); the model's own weights are untouched."""
    torch.manual_seed(3)
    model = ClassifierOnly(d_in=5, n_classes=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(12, 5)
    with torch.no_grad():
        z = model(x)[0].double()
    seed = int(torch.randint(2**62, (1,), generator=torch.Generator().manual_seed(7)))
    torch.manual_seed(seed)
    fresh = nn.Linear(5, 3)
    with torch.no_grad():
        d = (torch.softmax(z, 1) - torch.softmax(fresh(x).double(), 1)).norm(dim=1)
    ctx = AcquisitionContext(PoolOutputs(z, x), torch.Generator().manual_seed(7), model=model, inputs=x)
    sel = cod(ctx, 4)
    assert sel.indices.tolist() == torch.argsort(d, stable=True)[:4].tolist()
    torch.testing.assert_close(sel.components["distance"], d[sel.indices], atol=1e-6, rtol=0)
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    ref = random_reference(model, seed)
    assert torch.equal(ref.classifier.weight, fresh.weight) and not ref.training


def test_reference_resets_children_before_parents() -> None:
    """The child ``nn.Linear`` resets to random weights, then its parent's reset (weight 0, bias
    [1, 0]) runs last and wins: the reference's logits are [1, 0] whatever the input."""
    with torch.no_grad():
        z = random_reference(ConstantInit(), seed=0)(torch.tensor([[5.0, -3.0]]))[0]
    assert z.tolist() == [[1.0, 0.0]]


def test_reference_refuses_parameters_it_cannot_reset() -> None:
    class Raw(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(torch.ones(2, dtype=DT))

        def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
            return x * self.scale, x

    x = torch.zeros(3, 2, dtype=DT)
    ctx = AcquisitionContext(PoolOutputs(x, x), torch.Generator().manual_seed(0), model=Raw(), inputs=x)
    with pytest.raises(ValueError, match="cannot re-initialise.*scale"):
        cod(ctx, 1)


def test_first_cycle_reference_needs_model_and_inputs() -> None:
    with pytest.raises(ValueError, match="random_ref_lowest.*needs ctx.model"):
        cod(distance_ctx(previous=False), 2)


def test_first_cycle_init_snapshot_needs_previous() -> None:
    with pytest.raises(ValueError, match="init_snapshot_highest.*needs ctx.previous"):
        cod(distance_ctx(previous=False), 2, first_cycle="init_snapshot_highest")
    sel = cod(distance_ctx(previous=True), 2, space="logits", first_cycle="init_snapshot_highest")
    assert sel.indices.tolist() == [1, 2]


def test_first_cycle_random_uses_generator() -> None:
    picks = set()
    for seed in range(10):
        ctx = logits_ctx([[0.0, 0.0]] * 6)
        ctx.generator.manual_seed(seed)
        picks.add(tuple(cod(ctx, 2, first_cycle="random").indices.tolist()))
    assert len(picks) > 1


def subset_ctx(n: int, seed: int) -> AcquisitionContext:
    """Logit-space COD of item i is i + 1 (previous logits 0): the later the item, the higher."""
    z = torch.stack([torch.arange(1, n + 1, dtype=DT), torch.zeros(n, dtype=DT)], dim=1)
    prev = PoolOutputs(torch.zeros(n, 2, dtype=DT), torch.zeros(n, 0, dtype=DT))
    return AcquisitionContext(PoolOutputs(z, z[:, :0]), torch.Generator().manual_seed(seed), previous=prev)


def test_subset_scores_only_a_seeded_random_subset() -> None:
    """The code scores ``subset`` random unlabeled items (§4.1): the picks are the top of that
    subset (drawn here independently with the same generator), not of the whole pool."""
    n, subset, budget = 40, 10, 3
    drawn = torch.randperm(n, generator=torch.Generator().manual_seed(11))[:subset]
    expected = sorted(drawn.tolist(), reverse=True)[:budget]  # COD grows with the index
    sel = cod(subset_ctx(n, 11), budget, space="logits", subset=subset)
    assert sel.indices.tolist() == expected
    assert sel.components["distance"].tolist() == [i + 1.0 for i in expected]
    assert expected != [39, 38, 37]  # the whole pool would give these
    assert cod(subset_ctx(n, 11), budget, space="logits", subset=None).indices.tolist() == [39, 38, 37]


def test_subset_no_smaller_than_pool_or_budget() -> None:
    whole = cod(subset_ctx(8, 0), 3, space="logits", subset=None).indices.tolist()
    assert cod(subset_ctx(8, 0), 3, space="logits", subset=8).indices.tolist() == whole
    assert cod(subset_ctx(8, 0), 3, space="logits").indices.tolist() == whole  # SUBSET > 8
    assert SUBSET == 25_000
    small = cod(subset_ctx(8, 0), 5, space="logits", subset=2)  # the subset grows to the budget
    assert len(small.indices) == 5 and len(set(small.indices.tolist())) == 5


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_subset_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ValueError, match="subset"):
        cod(subset_ctx(4, 0), 1, subset=bad)  # type: ignore[arg-type]


def test_previous_shape_mismatch() -> None:
    prev = PoolOutputs(torch.zeros(3, 2, dtype=DT), torch.zeros(3, 2, dtype=DT))
    with pytest.raises(ValueError, match="do not match"):
        cod(logits_ctx([[0.0, 1.0]] * 4, previous=prev), 1)


def test_unknown_space() -> None:
    with pytest.raises(ValueError, match="COD space"):
        cod(distance_ctx(previous=True), 1, space="features")  # type: ignore[arg-type]
