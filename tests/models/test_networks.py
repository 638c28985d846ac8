"""Contract tests over every registered network (STYLE.md practice 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch
from torch import nn

from models.networks import build_network, list_networks, register_network
from models.plugins import load_plugins

load_plugins()  # the example plugin's network keeps the same contract

# name -> list of (kwargs, input shape without batch dim, num_classes, feature_dim)
CASES: dict[str, list[tuple[dict[str, Any], tuple[int, ...], int, int]]] = {
    "mlp": [
        ({"input_shape": [1, 28, 28], "num_classes": 10}, (1, 28, 28), 10, 256),
        ({"input_shape": [64], "num_classes": 3, "hidden": [32, 16], "dropout": 0.5}, (64,), 3, 16),
        ({"input_shape": [2, 3], "num_classes": 4, "hidden": []}, (2, 3), 4, 6),
    ],
    "lenet": [
        ({"num_classes": 10}, (1, 28, 28), 10, 128),
        ({"num_classes": 10, "input_size": 8}, (1, 8, 8), 10, 128),
        ({"num_classes": 5, "in_channels": 3, "input_size": 32}, (3, 32, 32), 5, 128),
    ],
    "resnet18": [
        ({"num_classes": 10, "in_channels": 1, "small_input": True}, (1, 28, 28), 10, 512),
        ({"num_classes": 10, "in_channels": 1, "small_input": True}, (1, 8, 8), 10, 512),
        ({"num_classes": 7}, (3, 32, 32), 7, 512),
    ],
}
CASES["example_linear"] = [
    ({"input_shape": [1, 4, 4], "num_classes": 3, "width": 6}, (1, 4, 4), 3, 6)
]  # plugin
FLAT_CASES = [(name, *case) for name, cases in CASES.items() for case in cases]


def test_every_registered_network_has_contract_cases() -> None:
    assert set(CASES) == set(list_networks())


@pytest.mark.parametrize(("name", "kwargs", "shape", "classes", "dim"), FLAT_CASES)
def test_forward_returns_logits_and_penultimate_features(
    name: str, kwargs: dict[str, Any], shape: tuple[int, ...], classes: int, dim: int
) -> None:
    torch.manual_seed(0)
    model = build_network(name, **kwargs).eval()
    x = torch.randn(3, *shape)
    with torch.no_grad():
        logits, features = model(x)
        assert logits.shape == (3, classes)
        assert features.shape == (3, dim)
        assert model.feature_dim == dim
        assert isinstance(model.classifier, nn.Linear)
        assert (model.classifier.in_features, model.classifier.out_features) == (dim, classes)
        torch.testing.assert_close(model.classifier(features), logits, rtol=0, atol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "shape", "classes", "dim"), FLAT_CASES)
def test_kwargs_survive_json_and_rebuild_the_same_state_layout(
    name: str, kwargs: dict[str, Any], shape: tuple[int, ...], classes: int, dim: int
) -> None:
    a = build_network(name, **kwargs).state_dict()
    b = build_network(name, **json.loads(json.dumps(kwargs))).state_dict()
    assert {k: v.shape for k, v in a.items()} == {k: v.shape for k, v in b.items()}
    assert a["classifier.weight"].shape == (classes, dim)


def test_mlp_without_hidden_layers_uses_the_flattened_input_as_features() -> None:
    model = build_network("mlp", input_shape=[2, 3], num_classes=4, hidden=[])
    x = torch.randn(5, 2, 3)
    _, features = model(x)
    torch.testing.assert_close(features, x.flatten(1))


def test_resnet_small_input_replaces_the_stem() -> None:
    small = build_network("resnet18", num_classes=10, in_channels=1, small_input=True)
    big = build_network("resnet18", num_classes=10)
    assert small.backbone.conv1.kernel_size == (3, 3) and small.backbone.conv1.stride == (1, 1)
    assert isinstance(small.backbone.maxpool, nn.Identity)
    assert big.backbone.conv1.kernel_size == (7, 7) and big.backbone.conv1.in_channels == 3


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"),
    [
        ("mlp", {"input_shape": [4], "num_classes": 0}, ValueError, "num_classes"),
        ("mlp", {"input_shape": [4], "num_classes": "10"}, TypeError, "num_classes"),
        ("mlp", {"input_shape": [4], "num_classes": True}, TypeError, "num_classes"),
        ("mlp", {"input_shape": [], "num_classes": 2}, ValueError, "input_shape"),
        ("mlp", {"input_shape": [4], "num_classes": 2, "dropout": 1.0}, ValueError, "dropout"),
        ("mlp", {"input_shape": {1, 2}, "num_classes": 2}, TypeError, "JSON"),
        ("mlp", {"input_shape": [4], "num_classes": 2, "width": 3}, TypeError, "accepted arguments"),
        ("mlp", {"num_classes": 2}, TypeError, "input_shape"),
        ("lenet", {"num_classes": 10, "input_size": 4}, ValueError, "input_size"),
        ("resnet18", {"num_classes": 10, "small_input": "yes"}, TypeError, "small_input"),
        ("resnet18", {"num_classes": 10, "in_channels": 0}, ValueError, "in_channels"),
    ],
)
def test_bad_kwargs_raise_clear_errors(name: str, kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        build_network(name, **kwargs)


def test_unknown_network_and_duplicate_registration_are_refused() -> None:
    with pytest.raises(KeyError, match="unknown network"):
        build_network("vgg99", num_classes=2)
    with pytest.raises(ValueError, match="already registered"):
        register_network("mlp", description="again")(lambda: nn.Linear(1, 1))
