"""Tiny float64 networks and pools shared by the acquisition tests."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from models.acquisition import AcquisitionContext, PoolOutputs
from models.acquisition.kronecker import KronPoints

DT = torch.float64


class TwoLayer(nn.Module):
    """x [B, 6] -> tanh(Linear) features [B, 5] -> classifier logits [B, 4]."""

    def __init__(self, d_in: int = 6, d_hidden: int = 5, n_classes: int = 4) -> None:
        super().__init__()
        self.body = nn.Linear(d_in, d_hidden)
        self.classifier = nn.Linear(d_hidden, n_classes)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = torch.tanh(self.body(x))
        return self.classifier(h), h


class ClassifierOnly(nn.Module):
    """The classifier is the only layer: features are the inputs."""

    def __init__(self, d_in: int = 5, n_classes: int = 3, bias: bool = True) -> None:
        super().__init__()
        self.classifier = nn.Linear(d_in, n_classes, bias=bias)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.classifier(x), x


def outputs(model: nn.Module, x: Tensor) -> PoolOutputs:
    with torch.no_grad():
        logits, feats = model(x)
    return PoolOutputs(logits, feats)


def pool_context(n: int = 30, seed: int = 0, gen_seed: int = 0) -> AcquisitionContext:
    """Every field filled: model + inputs, previous outputs, labeled features, n_total."""
    torch.manual_seed(seed)
    model = TwoLayer().to(DT)
    x = 2.0 * torch.randn(n, 6, dtype=DT)
    previous = TwoLayer().to(DT)
    return AcquisitionContext(
        unlabeled=outputs(model, x),
        generator=torch.Generator().manual_seed(gen_seed),
        labeled_features=torch.randn(3, 5, dtype=DT),
        previous=outputs(previous, x),
        n_total=2 * n,
        model=model,
        inputs=x,
    )


def permuted(ctx: AcquisitionContext, perm: Tensor, gen_seed: int = 0) -> AcquisitionContext:
    """The same pool in another order (pool-aligned fields permuted, the rest shared)."""
    assert ctx.previous is not None and ctx.inputs is not None
    return AcquisitionContext(
        unlabeled=ctx.unlabeled.subset(perm),
        generator=torch.Generator().manual_seed(gen_seed),
        labeled_features=ctx.labeled_features,
        previous=ctx.previous.subset(perm),
        n_total=ctx.n_total,
        model=ctx.model,
        inputs=ctx.inputs[perm],
    )


def logits_ctx(logits: list[list[float]], features: Tensor | None = None, **kw: object) -> AcquisitionContext:
    z = torch.tensor(logits, dtype=DT)
    h = features if features is not None else torch.zeros(len(z), 2, dtype=DT)
    return AcquisitionContext(PoolOutputs(z, h), torch.Generator().manual_seed(0), **kw)  # type: ignore[arg-type]


def random_points(n: int, a_dim: int, b_dim: int, seed: int) -> KronPoints:
    """n Gaussian Kronecker points with factors [n, a_dim] and [n, b_dim], float64."""
    gen = torch.Generator().manual_seed(seed)
    return KronPoints(
        torch.randn(n, a_dim, dtype=DT, generator=gen), torch.randn(n, b_dim, dtype=DT, generator=gen)
    )


def as_torch_path(points: KronPoints) -> KronPoints:
    """The same points with autograd on: on_cpu() is False, so the device-generic torch code runs."""
    return KronPoints(points.a.clone().requires_grad_(), points.b.clone().requires_grad_())
