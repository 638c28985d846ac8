"""Gradient-harmonization weights for GH and GH++ (ALGORITHMS.md §5), pure functions.

``g1`` is the gradient of the (unweighted) alignment loss L1 and ``g2`` that of the classification
loss L2, over the same ordered parameter list (§5.1, §5.3 "g1 = alignment, g2 = classification").
Each may be one flat tensor or a sequence of per-parameter tensors; both are reduced in float64.
Every function returns scalar weights ``(w1, w2)`` such that the harmonized update is
``w1 * g1 + w2 * g2`` (§5.1-3). The weights are plain floats, i.e. constants with no gradient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

GradLike = Tensor | Sequence[Tensor]

EPS = 1e-12
"""Absolute norm below which a gradient counts as zero (§5.2 guard, float64)."""
REL_EPS = 1e-8
"""Relative guard: ``min norm < REL_EPS * max norm`` also counts as degenerate (§5.2)."""


@dataclass(frozen=True)
class Geometry:
    """Inner product and norms of two gradients (float64 scalars)."""

    dot: float
    norm1: float
    norm2: float

    @property
    def conflict(self) -> bool:
        """Whether the gradients conflict, ``d = g1·g2 < 0`` (§5.2, c = 1[d < 0])."""
        return self.dot < 0.0

    @property
    def cos(self) -> float:
        """``clamp(d / (‖g1‖‖g2‖), -1, 1)``; 0 when a norm is 0 (clamped before acos, §7-2)."""
        denom = self.norm1 * self.norm2
        if denom == 0.0:
            return 0.0
        return max(-1.0, min(1.0, self.dot / denom))

    def degenerate(self, eps: float = EPS, rel_eps: float = REL_EPS) -> bool:
        """``min(‖g1‖, ‖g2‖) < eps`` or ``< rel_eps · max(‖g1‖, ‖g2‖)``: weights fall back to (1, 1)."""
        small, large = sorted((self.norm1, self.norm2))
        return small < eps or small < rel_eps * large


def _parts(g: GradLike) -> list[Tensor]:
    return [g] if isinstance(g, Tensor) else list(g)


def gradient_geometry(g1: GradLike, g2: GradLike) -> Geometry:
    """``d = Σ_p <g1_p, g2_p>``, ``‖g1‖``, ``‖g2‖`` accumulated in float64 over all parts."""
    p1, p2 = _parts(g1), _parts(g2)
    if len(p1) != len(p2):
        raise ValueError(f"g1 has {len(p1)} parts but g2 has {len(p2)}")
    dot = n1 = n2 = 0.0
    with torch.no_grad():
        for a, b in zip(p1, p2, strict=True):
            if a.shape != b.shape:
                raise ValueError(f"gradient part shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
            a64, b64 = a.detach().reshape(-1).double(), b.detach().reshape(-1).double()
            dot += float(torch.dot(a64, b64))
            n1 += float(torch.dot(a64, a64))
            n2 += float(torch.dot(b64, b64))
    return Geometry(dot=dot, norm1=math.sqrt(n1), norm2=math.sqrt(n2))


def gh_weights_from(geo: Geometry, eps: float = EPS, rel_eps: float = REL_EPS) -> tuple[float, float]:
    """GH, Eq. 42 (§5.2): ``w1 = 1 − c·d/‖g1‖²``, ``w2 = 1 − c·d/‖g2‖²`` with ``c = 1[d < 0]``."""
    if not geo.conflict or geo.degenerate(eps, rel_eps):
        return 1.0, 1.0
    return 1.0 - geo.dot / geo.norm1**2, 1.0 - geo.dot / geo.norm2**2


def ghpp_weights_from(
    geo: Geometry, k: float = 0.5, eps: float = EPS, rel_eps: float = REL_EPS
) -> tuple[float, float]:
    """GH++ as implemented by the authors (§5.3, Eq. 43 as coded).

    With ``θ = arccos(clamp(cos, −1, 1))``, ``β_max = θ − π/2``, ``β1 = k·β_max``, ``β2 = β1 − β_max``:
    ``w1 = 1 + 2 sin(β1/2)``, ``w2 = 1 + 2 sin(β2/2)``; (1, 1) when ``d ≥ 0`` or a norm is tiny.
    """
    if not geo.conflict or geo.degenerate(eps, rel_eps):
        return 1.0, 1.0
    theta = math.acos(geo.cos)
    beta_max = theta - math.pi / 2
    beta1 = k * beta_max
    beta2 = beta1 - beta_max
    return 1.0 + 2.0 * math.sin(beta1 / 2), 1.0 + 2.0 * math.sin(beta2 / 2)


def ghpp_exact_weights_from(
    geo: Geometry, k: float = 0.5, eps: float = EPS, rel_eps: float = REL_EPS, sin_eps: float = 1e-6
) -> tuple[float, float]:
    """Geometrically exact GH++ (§5.4, option ``exact_rotation``; not what produced the paper's tables).

    ``φ1 = k(θ − π/2)``, ``φ2 = (1−k)(θ − π/2)``;
    ``w1* = [sin(θ−φ1) + (‖g2‖/‖g1‖) sin φ2] / sin θ``, ``w2* = [sin(θ−φ2) + (‖g1‖/‖g2‖) sin φ1] / sin θ``.
    Undefined for anti-parallel gradients: when ``sin θ < sin_eps`` this falls back to the code weights.
    """
    if not geo.conflict or geo.degenerate(eps, rel_eps):
        return 1.0, 1.0
    theta = math.acos(geo.cos)
    sin_theta = math.sin(theta)
    if sin_theta < sin_eps:
        return ghpp_weights_from(geo, k, eps, rel_eps)
    phi1 = k * (theta - math.pi / 2)
    phi2 = (1.0 - k) * (theta - math.pi / 2)
    ratio = geo.norm2 / geo.norm1
    w1 = (math.sin(theta - phi1) + ratio * math.sin(phi2)) / sin_theta
    w2 = (math.sin(theta - phi2) + math.sin(phi1) / ratio) / sin_theta
    return w1, w2


def gh_weights(g1: GradLike, g2: GradLike, eps: float = EPS) -> tuple[float, float]:
    """GH weights (§5.2, Eq. 42) of two gradients; see :func:`gh_weights_from`."""
    return gh_weights_from(gradient_geometry(g1, g2), eps)


def ghpp_weights(g1: GradLike, g2: GradLike, k: float = 0.5, eps: float = EPS) -> tuple[float, float]:
    """GH++ code-faithful weights (§5.3); they depend on the angle only, not on the norms."""
    return ghpp_weights_from(gradient_geometry(g1, g2), k, eps)


def ghpp_exact_weights(g1: GradLike, g2: GradLike, k: float = 0.5, eps: float = EPS) -> tuple[float, float]:
    """Exact-rotation GH++ weights (§5.4); see :func:`ghpp_exact_weights_from`."""
    return ghpp_exact_weights_from(gradient_geometry(g1, g2), k, eps)
