"""EADA's training objective: ce + γ · free-energy alignment (ALGORITHMS.md §1.4, paper Eq. 9).

``L = w_s·mean_S CE + w_t·mean_{T_l} CE + γ · mean_{x∈T_u} max(0, F(x) − Δ_t)`` with the free
energy ``F(x) = −logsumexp(z)`` (§1.1, τ = 1) and Δ a running statistic of the SOURCE free energy:
``Δ'_t = mean_{source batch} F`` (same forward pass as the CE term, detached),
``Δ_t = λ_t Δ_{t−1} + (1 − λ_t) Δ'_t`` with ``λ_t ~ U(0, 1)`` drawn afresh each step, ``Δ_0 = Δ'_1``.
No gradient reaches Δ. Δ and its update count are buffers, so they persist across rounds.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, register_objective
from models.objectives.common import AlignmentObjective, check_int, check_number, supervised_pass
from models.objectives.params import EADAParams


def free_energy(logits: Tensor) -> Tensor:
    """logits [B, C] -> F [B], ``F = −logsumexp(z)`` (stable, §0.3-1)."""
    return -torch.logsumexp(logits, dim=-1)


def fea_loss(energy: Tensor, delta: Tensor | float) -> Tensor:
    """L_fea = mean_i max(0, F_i − Δ); energy [B] -> scalar. Δ is a constant (§1.4)."""
    return torch.clamp(energy - delta, min=0).mean()


def update_delta(previous: Tensor | float, current: Tensor | float, lam: float) -> Tensor | float:
    """Δ_t = λ Δ_{t−1} + (1 − λ) Δ'_t (§1.4)."""
    return lam * previous + (1.0 - lam) * current


def uniform_draw(seed: int, step: int) -> float:
    """λ_t ~ U(0, 1), a pure function of ``(seed, step)``: reproducible and resumable from the step."""
    return float(np.random.default_rng((seed, step)).random())


class EnergyAlignment(AlignmentObjective):
    """EADA (``eada``): ce + γ · mean max(0, F(x_u) − Δ) on the unlabeled target batch.

    Buffers: ``delta`` (Δ, scalar) and ``delta_updates`` (how many source batches have updated Δ;
    0 means Δ is unset). Without a source batch Δ keeps its value; while Δ is unset, or when there
    is no unlabeled batch, the step has no alignment term.
    """

    name = "eada"

    def __init__(
        self, gamma: float = 0.01, source_weight: float = 1.0, target_weight: float = 1.0, seed: int = 0
    ) -> None:
        super().__init__(source_weight=source_weight, target_weight=target_weight)
        self.alignment_weight = check_number("gamma", gamma, low=0.0)
        self.seed = check_int("seed", seed, low=0)
        self.register_buffer("delta", torch.zeros(()))
        self.register_buffer("delta_updates", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def observe_source(self, source_logits: Tensor) -> None:
        """Fold the source batch's mean free energy into Δ (Δ_0 = Δ'_1; then the λ_t blend)."""
        current = free_energy(source_logits.detach().float()).mean()
        n = int(self.delta_updates)
        if n == 0:
            self.delta.copy_(current)
        else:
            self.delta.copy_(update_delta(self.delta, current, uniform_draw(self.seed, n)))
        self.delta_updates += 1

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        sup = supervised_pass(self.ce, model, batch)
        if sup.source is not None:
            self.observe_source(sup.source[0])
        if batch.target_unlabeled is None or int(self.delta_updates) == 0:
            return self.with_alignment(sup, None, {})
        logits_u, _ = model(batch.target_unlabeled)
        energy = free_energy(logits_u)
        loss = fea_loss(energy, self.delta.detach().to(energy.dtype))
        logs = {
            "fea": float(loss.detach()),
            "delta": float(self.delta),
            "energy_target": float(energy.detach().mean()),
        }
        return self.with_alignment(sup, loss, logs)


@register_objective(
    "eada",
    unlabeled=True,
    description="ce + γ · mean max(0, F(x) − Δ) on unlabeled target, F = −logsumexp(logits), Δ a running "
    "source free-energy statistic kept across rounds (§1.4).",
    params=EADAParams,
    paper="Xie et al., Active Learning for Domain Adaptation: An Energy-Based Approach, AAAI 2022",
)
def build_eada(
    gamma: float = 0.01, source_weight: float = 1.0, target_weight: float = 1.0, seed: int = 0
) -> EnergyAlignment:
    return EnergyAlignment(gamma=gamma, source_weight=source_weight, target_weight=target_weight, seed=seed)
