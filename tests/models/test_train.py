"""fit: learns a separable problem, stream semantics, stopping, progress, determinism."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor, nn

from models.evaluate import accuracy
from models.inference import predict
from models.networks import build_network
from models.objectives import Batch, LossTerms, Objective, build_objective
from models.train import TrainConfig, fit

MLP = {"input_shape": [2], "num_classes": 3, "hidden": [16]}


def blobs(n: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Three well-separated 2-D Gaussian blobs: x [n, 2], y [n]."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    centres = torch.tensor([[3.0, 0.0], [-3.0, 3.0], [-3.0, -3.0]])
    return centres[y] + 0.5 * torch.randn(n, 2, generator=g), y


def mlp(seed: int = 0, **extra: Any) -> nn.Module:
    torch.manual_seed(seed)
    return build_network("mlp", **MLP, **extra)


class Recorder(Objective):
    """ce that also records the batch sizes it sees and counts after_step calls."""

    def __init__(self) -> None:
        super().__init__()
        self.ce = build_objective("ce")
        self.sizes: list[tuple[int | None, int | None, int | None]] = []
        self.after = 0

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        size = [None if b is None else len(b[0]) for b in (batch.source, batch.target_labeled)]
        unl = None if batch.target_unlabeled is None else len(batch.target_unlabeled)
        self.sizes.append((size[0], size[1], unl))
        return self.ce.terms(model, batch)

    def after_step(self, model: nn.Module) -> None:
        self.after += 1


class WithExtraParameter(Objective):
    """ce plus a trainable logit offset owned by the objective."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = nn.Parameter(torch.zeros(3))

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        assert batch.source is not None
        x, y = batch.source
        logits, _ = model(x)
        return LossTerms(classification=nn.functional.cross_entropy(logits + self.offset, y))


@pytest.mark.parametrize(("optimizer", "lr"), [("adam", 1e-2), ("sgd", 0.05), ("adadelta", 1.0)])
def test_learns_a_separable_problem(optimizer: str, lr: float) -> None:
    x, y = blobs(240)
    model = mlp()
    config = TrainConfig(epochs=8, batch_size=32, lr=lr, optimizer=optimizer)
    result = fit(model, build_objective("ce"), source=(x, y), config=config)
    assert result.steps == 8 * 8 and not result.stopped
    assert [h["epoch"] for h in result.history] == list(range(1, 9))
    assert result.history[-1]["loss"] < 0.5 * result.history[0]["loss"]
    x_test, y_test = blobs(300, seed=1)
    assert accuracy(predict(model, x_test).logits, y_test) >= 0.95


def test_same_seed_gives_identical_weights_and_another_seed_does_not() -> None:
    x, y = blobs(90)
    states = []
    for seed in (0, 0, 1):
        model = mlp(dropout=0.3)  # dropout exercises the global RNG too
        fit(
            model,
            build_objective("ce"),
            source=(x, y),
            config=TrainConfig(epochs=2, batch_size=16, seed=seed),
        )
        states.append(model.state_dict())
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])
    assert not all(torch.equal(states[0][k], states[2][k]) for k in states[0])


def test_steps_per_epoch_follow_the_largest_labeled_stream_and_small_sets_are_reused() -> None:
    x, y = blobs(100)
    objective = Recorder()
    config = TrainConfig(epochs=2, batch_size=32)
    result = fit(
        mlp(), objective, source=(x, y), target_labeled=(x[:3], y[:3]), target_unlabeled=x, config=config
    )
    assert result.steps == 8  # ceil(100 / 32) = 4 per epoch
    assert [h["steps"] for h in result.history] == [4, 4]
    assert objective.sizes == [(32, 3, 32)] * 8
    assert objective.after == 8
    assert {"loss", "classification", "ce_source", "ce_target"} <= set(result.history[0])


def test_a_single_labeled_target_item_is_duplicated() -> None:
    x, y = blobs(10)
    objective = Recorder()
    fit(mlp(), objective, target_labeled=(x[:1], y[:1]), config=TrainConfig(epochs=3))
    assert objective.sizes == [(None, 2, None)] * 3


def test_max_steps_caps_the_run() -> None:
    x, y = blobs(100)
    result = fit(
        mlp(), build_objective("ce"), source=(x, y), config=TrainConfig(epochs=5, batch_size=32, max_steps=5)
    )
    assert result.steps == 5
    assert [h["steps"] for h in result.history] == [4, 1]


def test_should_stop_ends_the_run_cleanly() -> None:
    x, y = blobs(100)
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    model = mlp()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    config = TrainConfig(epochs=5, batch_size=16)
    result = fit(model, build_objective("ce"), source=(x, y), config=config, should_stop=stop)
    assert result.stopped and result.steps == 3
    assert [h["steps"] for h in result.history] == [3]
    assert not all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_progress_reports() -> None:
    x, y = blobs(64)
    reports: list[dict[str, Any]] = []
    config = TrainConfig(epochs=2, batch_size=16)
    fit(
        mlp(),
        build_objective("ce"),
        source=(x, y),
        config=config,
        progress=reports.append,
        progress_interval_s=0,
    )
    assert [r["step"] for r in reports] == [1, 2, 3, 4, 5, 6, 7, 8, 8]
    assert [r["epoch"] for r in reports] == [1, 1, 1, 1, 2, 2, 2, 2, 2]
    last = reports[-1]
    assert last["final"] and last["fraction"] == 1.0 and last["eta_s"] == 0.0 and last["total_steps"] == 8
    assert last["items_per_s"] > 0 and "loss" in last and "ce_source" in last
    throttled: list[dict[str, Any]] = []
    fit(
        mlp(),
        build_objective("ce"),
        source=(x, y),
        config=config,
        progress=throttled.append,
        progress_interval_s=3600,
    )
    assert len(throttled) == 1 and throttled[0]["final"]


def test_objective_extra_parameters_are_optimised() -> None:
    x, y = blobs(60)
    objective = WithExtraParameter()
    fit(mlp(), objective, source=(x, y), config=TrainConfig(epochs=2, batch_size=20, lr=1e-2))
    assert objective.offset.abs().sum() > 0


def test_uint8_inputs_are_accepted() -> None:
    x = torch.randint(0, 256, (40, 2), dtype=torch.uint8)
    y = (x[:, 0] > 127).long()
    result = fit(mlp(), build_objective("ce"), source=(x, y), config=TrainConfig(epochs=1, batch_size=20))
    assert result.steps == 2


def test_global_rng_is_left_untouched() -> None:
    x, y = blobs(30)
    model = mlp(dropout=0.5)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit(model, build_objective("ce"), source=(x, y), config=TrainConfig(epochs=1, seed=7))
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target_unlabeled": torch.zeros(5, 2)}, "labeled data"),
        ({"source": (torch.zeros(5, 2), torch.zeros(4, dtype=torch.long))}, "expected x"),
        ({"source": (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))}, "labeled data"),
    ],
)
def test_bad_streams_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        fit(mlp(), build_objective("ce"), **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"optimizer": "rmsprop"}, {"batch_size": 0}, {"lr": 0.0}, {"max_steps": 0}, {"epochs": -1}]
)
def test_bad_configs_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)
