"""One contract for every registered strategy (STYLE.md practice 11)."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
import torch

from models.acquisition import PoolOutputs, get_strategy, list_strategies
from models.plugins import load_plugins
from tests.models.acquisition.helpers import permuted, pool_context

load_plugins()  # the example plugin's strategy keeps the same contract
N = 30

# Deterministic strategies with no ties on the random pool: permuting the pool permutes the
# selection. (random, badge and clue draw from the generator, so their picks depend on order.)
EQUIVARIANT: dict[str, dict[str, Any]] = {
    "eada": {},
    "free_energy": {},
    "mvsm": {},
    "entropy": {},
    "margin": {},
    "least_confidence": {},
    "expected_gradnorm": {},
    "entropy_gradnorm": {},
    "cod": {},
    "coreset": {},
    "forge": {"first": "max_norm"},
    "auto": {"arms": ("entropy", "margin")},  # the draw depends on the generator alone
    "example_ratio": {},
}


# Strategies that read only logits (their registry flag needs_features=False).
LOGITS_ONLY = {
    "random",
    "entropy",
    "margin",
    "least_confidence",
    "eada",
    "free_energy",
    "mvsm",
    "cod",
    "example_ratio",
}


def run(name: str, budget: int, seed: int = 0, **params: Any) -> Any:
    return get_strategy(name).fn(pool_context(N, gen_seed=seed), budget, **params)


@pytest.mark.parametrize("name", list_strategies())
class TestEveryStrategy:
    @pytest.mark.parametrize("budget", [0, 1, 7, N + 5])
    def test_shapes_range_unique_finite(self, name: str, budget: int) -> None:
        sel = run(name, budget)
        k = min(budget, N)
        assert sel.indices.shape == (k,) and sel.scores.shape == (k,)
        assert sel.indices.dtype == torch.long
        assert len(set(sel.indices.tolist())) == k
        assert all(0 <= i < N for i in sel.indices.tolist())
        assert torch.isfinite(sel.scores).all()
        assert all(v.shape == (k,) and torch.isfinite(v).all() for v in sel.components.values())

    def test_deterministic_under_seed(self, name: str) -> None:
        a, b = run(name, 7, seed=3), run(name, 7, seed=3)
        assert a.indices.tolist() == b.indices.tolist()
        assert torch.equal(a.scores, b.scores)

    def test_permutation(self, name: str) -> None:
        """Deterministic strategies are equivariant. Seeded ones: random draws the same positions
        whatever the order; badge's first centre (argmax norm) follows it; clue's cluster weights
        sum to the same total."""
        ctx = pool_context(N)
        if name not in EQUIVARIANT:
            perm = torch.randperm(N, generator=torch.Generator().manual_seed(5))
            base = get_strategy(name).fn(ctx, 7)
            moved = get_strategy(name).fn(permuted(ctx, perm), 7)
            if name == "random":
                assert moved.indices.tolist() == base.indices.tolist()
            elif name == "badge":
                assert perm[moved.indices[0]].item() == base.indices[0].item()
            else:  # clue: cluster weights partition the pool's total uncertainty, in any order
                assert moved.scores.sum().item() == pytest.approx(base.scores.sum().item(), rel=1e-6)
            return
        perm = torch.randperm(N, generator=torch.Generator().manual_seed(5))
        base = get_strategy(name).fn(ctx, 7, **EQUIVARIANT[name])
        moved = get_strategy(name).fn(permuted(ctx, perm), 7, **EQUIVARIANT[name])
        assert perm[moved.indices].tolist() == base.indices.tolist()
        torch.testing.assert_close(moved.scores, base.scores, atol=1e-10, rtol=1e-10)

    def test_logits_only_strategies_ignore_features(self, name: str) -> None:
        """needs_features=False is a promise: the same selection without features (the worker then
        skips storing them); strategies that need features must say so."""
        info, ctx = get_strategy(name), pool_context(N)
        assert info.needs_features == (name not in LOGITS_ONLY)
        if info.needs_features:
            return
        stripped = dataclasses.replace(
            pool_context(N),
            unlabeled=PoolOutputs(ctx.unlabeled.logits, ctx.unlabeled.logits[:, :0]),
            labeled_features=None,
            previous=None
            if ctx.previous is None
            else PoolOutputs(ctx.previous.logits, ctx.previous.logits[:, :0]),
        )
        base, bare = info.fn(ctx, 7), info.fn(stripped, 7)
        assert bare.indices.tolist() == base.indices.tolist() and torch.equal(bare.scores, base.scores)

    def test_negative_budget_refused(self, name: str) -> None:
        with pytest.raises(ValueError, match="budget"):
            run(name, -1)

    def test_catalog_params_match_function(self, name: str) -> None:
        fn = get_strategy(name).fn
        hints = typing.get_type_hints(fn)
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind is p.KEYWORD_ONLY
            or (p.kind is p.POSITIONAL_OR_KEYWORD and p.name not in ("ctx", "budget"))
        ]
        catalog_params = get_strategy(name).params
        assert {p.name: p.default for p in params} == catalog_params().model_dump()
        for p in params:
            choices = typing.get_args(hints[p.name]) if typing.get_origin(hints[p.name]) is Literal else ()
            if choices:  # a Literal mode: the API offers exactly the modes the function accepts
                assert set(typing.get_args(catalog_params.model_fields[p.name].annotation)) == set(choices)


@pytest.mark.parametrize("name", ["badge", "clue", "coreset", "forge", "expected_gradnorm"])
def test_long_strategies_report_progress(name: str) -> None:
    seen: list[float] = []
    ctx = pool_context(N)
    ctx.progress = seen.append
    get_strategy(name).fn(ctx, 7)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_catalog_is_torch_free() -> None:
    code = "import sys, service.catalog; assert 'torch' not in sys.modules, 'service.catalog imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])
