"""The example plugin (examples/labelq-plugin-example, installed by `make install`): found through
its entry points, registered with the built-ins' contract, published in the catalog; a broken
plugin is reported and left out, a disabled one never published."""

from __future__ import annotations

import math
from importlib.metadata import EntryPoint, entry_points

import pydantic
import pytest
import torch

from models import plugins
from models.acquisition import AcquisitionContext, PoolOutputs, get_strategy
from models.catalog import catalog
from models.networks import build_network
from models.plugins import load_plugins

LABEL = "labelq-plugin-example 0.1.0"


def test_its_entry_points_are_installed_and_load_without_error() -> None:
    found = {(g, ep.name, ep.value) for g in plugins.GROUPS for ep in entry_points(group=g)}
    assert ("labelq.strategies", "example_ratio", "labelq_plugin_example.strategy") in found
    assert ("labelq.networks", "example_linear", "labelq_plugin_example.network") in found
    loaded = {(p.kind, p.name): p for p in load_plugins()}
    for key in (("strategy", "example_ratio"), ("network", "example_linear")):
        assert loaded[key].error is None and loaded[key].label == LABEL


def _ctx(logits: list[list[float]]) -> AcquisitionContext:
    z = torch.tensor(logits)
    return AcquisitionContext(PoolOutputs(z, z[:, :0]), torch.Generator().manual_seed(0))


def test_example_ratio_picks_the_closest_calls_first() -> None:
    """p(2)/p(1) by hand: [2, 1, 0] -> e^-1, [0, 0, 0] -> 1, [3, 0, 0] -> e^-3, [1, 1, -5] -> 1."""
    load_plugins()
    info = get_strategy("example_ratio")
    logits = [[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [1.0, 1.0, -5.0]]
    sel = info.select(_ctx(logits), 3, {})
    assert sel.indices.tolist() == [1, 3, 0]  # the tie of 1 and 3 goes to the lower index
    assert sel.scores.tolist() == pytest.approx([1.0, 1.0, math.exp(-1)], rel=1e-6)
    warm = info.select(_ctx(logits), 4, {"temperature": 2.0})
    assert warm.scores.tolist() == pytest.approx([1.0, 1.0, math.exp(-0.5), math.exp(-1.5)], rel=1e-6)
    with pytest.raises(pydantic.ValidationError):
        info.select(_ctx(logits), 1, {"temperature": 0})


def test_example_linear_keeps_the_network_contract() -> None:
    load_plugins()
    net = build_network("example_linear", input_shape=[1, 2, 2], num_classes=3, width=2)
    with torch.no_grad():
        net.hidden.weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 0, 0, -1.0]]))
        net.hidden.bias.zero_()
        net.classifier.weight.copy_(torch.tensor([[1.0, 0], [0, 1.0], [1.0, 1.0]]))
        net.classifier.bias.copy_(torch.tensor([0.0, 0, 0.5]))
    x = torch.tensor([[[[3.0, 9.0], [9.0, -2.0]]]])  # flattened [3, 9, 9, -2]: hidden relu([3, 2])
    logits, features = net(x)
    assert features.tolist() == [[3.0, 2.0]] and logits.tolist() == [[3.0, 2.0, 5.5]]
    assert net.feature_dim == 2
    with pytest.raises(TypeError, match="accepted arguments"):
        build_network("example_linear", input_shape=[4], num_classes=3, depth=2)


def test_the_catalog_publishes_it_and_leaves_it_out_when_disabled() -> None:
    rows = {(r["kind"], r["name"]): r for r in catalog()}
    assert rows["strategy", "example_ratio"]["plugin"] == LABEL
    assert (
        rows["strategy", "example_ratio"]["params_schema"]["properties"]["temperature"]["exclusiveMinimum"]
        == 0
    )
    assert rows["network", "example_linear"]["extra"]["arguments"] == ["input_shape", "num_classes", "width"]
    assert rows["strategy", "entropy"]["plugin"] is None
    for disabled in ("labelq-plugin-example", "example_ratio"):
        left = {(r["kind"], r["name"]) for r in catalog(disabled=[disabled])}
        assert ("strategy", "example_ratio") not in left and ("strategy", "entropy") in left
    assert ("network", "example_linear") not in {
        (r["kind"], r["name"]) for r in catalog(["labelq-plugin-example"])
    }


def test_a_broken_plugin_is_reported_and_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """One that fails to import, one that registers nothing under its name: neither stops the
    rest, both say why, neither is published."""
    fakes = {
        "labelq.strategies": [
            EntryPoint("broken", "labelq_no_such_module_anywhere", "labelq.strategies"),
            EntryPoint("ghost", "json", "labelq.strategies"),
        ]
    }
    monkeypatch.setattr(plugins, "entry_points", lambda group: fakes.get(group, []))
    monkeypatch.setattr(plugins, "_LOADED", {})
    found = {p.name: p for p in load_plugins()}
    assert "ModuleNotFoundError" in (found["broken"].error or "")
    assert found["ghost"].error == "loading 'json' registered no strategy named 'ghost'"
    names = {r["name"] for r in catalog()}
    assert {"broken", "ghost"}.isdisjoint(names) and "entropy" in names
