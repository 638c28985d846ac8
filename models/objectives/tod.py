"""TOD's semi-supervised objective: ce + λ · consistency to an EMA copy of the model (ALGORITHMS.md §4.4).

mode="paper" (default, one head, Eq. 7): the consistency ``L_U`` between ``f(x; w)`` and the EMA
model's ``f(x; w̃)`` on the unlabeled target batch, with
- ``space="logits"`` (default): ``f`` = the raw logits, as in the reference code (``F.mse_loss`` on
  the heads' scores); ``space="softmax"``: ``f`` = softmax probabilities (an interpretation: Eq. 7
  leaves ``f`` open, §4.4);
- ``reduction="mean"`` (default): ``F.mse_loss``, the mean over the batch AND the classes
  (``‖f − f̃‖²/C`` per sample), the code's normalisation, with which its λ values were tuned;
  ``reduction="sum"``: Eq. 7 as printed, ``mean_{x∈T_u} ‖f(x; w) − f(x; w̃)‖²`` (C times larger).

mode="code" (the reference code's loss on our one-head networks): the code has a second
"consistency" head s′ and uses ``λ·[MSE(s_l, s′_l) + MSE(s_u, s′_u) + MSE(s′_l, s̃_l) + MSE(s′_u, s̃_u)]``
on logits. With one head s′ = s, the first two terms vanish and this becomes
``λ·[MSE(z_l, z̃_l) + MSE(z_u, z̃_u)]``, ``F.mse_loss`` averaging over batch AND classes (= ‖·‖²/C),
always on logits (``space`` and ``reduction`` are paper-mode options).
The labeled batch ``l`` is every labeled sample of the step (source and labeled target together).

EMA (both modes): w̃ starts as a copy of w (the spec's service default, §9), is updated after every
optimizer step with ``w̃ ← α_t w̃ + (1 − α_t) w``, ``α_t = min(1 − 1/(t+1), α)`` where the global
step t is incremented before the update (first update: α = 0.5). Only parameters are averaged; the
EMA network's BatchNorm statistics come from its own forward passes (train mode). The EMA network
(submodule ``ema``) and t (buffer ``ema_step``) are in ``state_dict``, so they persist across rounds.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from models.objectives.base import Batch, LossTerms, register_objective
from models.objectives.common import (
    AlignmentObjective,
    SupervisedPass,
    check_choice,
    check_number,
    supervised_pass,
)
from models.objectives.params import TODParams

MODES = ("paper", "code")
SPACES = ("logits", "softmax")
REDUCTIONS = ("mean", "sum")


def consistency(outputs: Tensor, ema_outputs: Tensor) -> Tensor:
    """Paper Eq. 7: ``mean_i ‖f_i − f̃_i‖²``; [B, C] x [B, C] -> scalar (f̃ is detached)."""
    return (outputs - ema_outputs.detach()).pow(2).sum(dim=-1).mean()


def consistency_mse(outputs: Tensor, ema_outputs: Tensor) -> Tensor:
    """Code: ``F.mse_loss`` = mean over batch and classes = ``mean_i ‖z_i − z̃_i‖² / C``."""
    return F.mse_loss(outputs, ema_outputs.detach())


def warmup_alpha(step: int, alpha: float) -> float:
    """``α_t = min(1 − 1/(t+1), α)`` (§4.4 code warm-up); t = 1 gives 0.5."""
    return min(1.0 - 1.0 / (step + 1), alpha)


@torch.no_grad()
def ema_update_(ema: nn.Module, model: nn.Module, alpha: float) -> None:
    """In place, parameters only: ``w̃ ← α w̃ + (1 − α) w`` (§4.4)."""
    ema_params, params = list(ema.parameters()), list(model.parameters())
    if len(ema_params) != len(params):
        raise ValueError("the EMA network does not match the model")
    for e, p in zip(ema_params, params, strict=True):
        e.mul_(alpha).add_(p.detach().to(e.dtype), alpha=1.0 - alpha)


def make_ema(model: nn.Module) -> nn.Module:
    """A frozen copy of ``model`` (no parameter requires grad, so no optimizer ever sees it)."""
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    return ema


class TemporalConsistency(AlignmentObjective):
    """TOD (``tod``): ce + λ · consistency to the EMA model; see the module docstring.

    The EMA network is built from the model at the first ``terms``/``after_step`` call. A
    ``state_dict`` loaded before then is kept and applied to that copy (so a fresh objective can
    resume the previous round's EMA and step counter before it has seen the model).
    """

    name = "tod"

    def __init__(
        self,
        lam: float = 0.05,
        alpha: float = 0.999,
        mode: str = "paper",
        space: str = "logits",
        reduction: str = "mean",
        source_weight: float = 1.0,
        target_weight: float = 1.0,
    ) -> None:
        super().__init__(source_weight=source_weight, target_weight=target_weight)
        self.alignment_weight = check_number("lam", lam, low=0.0)
        self.alpha = check_number("alpha", alpha, low=0.0, high=1.0)
        self.mode = check_choice("mode", mode, MODES)
        self.space = check_choice("space", space, SPACES)
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)
        self.register_module("ema", None)
        self.register_buffer("ema_step", torch.zeros((), dtype=torch.long))
        self._pending_ema: dict[str, Tensor] | None = None
        self.register_load_state_dict_pre_hook(_stash_ema_state)
        self.register_state_dict_post_hook(_save_pending_ema)

    def ema_for(self, model: nn.Module) -> nn.Module:
        """The EMA network, created from ``model`` on first use (then loaded from a pending state)."""
        if self.ema is None:
            ema = make_ema(model)
            if self._pending_ema is not None:
                ema.load_state_dict(self._pending_ema)
                self._pending_ema = None
            self.ema = ema
        return self.ema

    @torch.no_grad()
    def _ema_logits(self, model: nn.Module, x: Tensor) -> Tensor:
        ema = self.ema_for(model)
        ema.train(model.training)
        return ema(x)[0]

    def _f(self, logits: Tensor) -> Tensor:
        return torch.softmax(logits, dim=-1) if self.space == "softmax" else logits

    def _distance(self, logits: Tensor, ema_logits: Tensor) -> Tensor:
        """L_U of one batch: ``F.mse_loss`` (mean) or Eq. 7's ``mean ‖·‖²`` (sum) in ``space``."""
        loss = consistency_mse if self.reduction == "mean" else consistency
        return loss(self._f(logits), self._f(ema_logits))

    def _paper_loss(self, model: nn.Module, batch: Batch) -> Tensor | None:
        if batch.target_unlabeled is None:
            return None
        x_u = batch.target_unlabeled
        return self._distance(model(x_u)[0], self._ema_logits(model, x_u))

    def _code_loss(self, model: nn.Module, batch: Batch, sup: SupervisedPass) -> Tensor | None:
        parts = []
        labeled = [
            (stream[0], out[0])
            for stream, out in ((batch.source, sup.source), (batch.target_labeled, sup.target_labeled))
            if stream is not None and out is not None
        ]
        if labeled:
            z_l = torch.cat([z for _, z in labeled])
            z_ema = torch.cat([self._ema_logits(model, x) for x, _ in labeled])
            parts.append(consistency_mse(z_l, z_ema))
        if batch.target_unlabeled is not None:
            x_u = batch.target_unlabeled
            parts.append(consistency_mse(model(x_u)[0], self._ema_logits(model, x_u)))
        return sum(parts[1:], parts[0]) if parts else None

    def terms(self, model: nn.Module, batch: Batch) -> LossTerms:
        sup = supervised_pass(self.ce, model, batch)
        loss = self._paper_loss(model, batch) if self.mode == "paper" else self._code_loss(model, batch, sup)
        return self.with_alignment(sup, loss, {})

    def after_step(self, model: nn.Module) -> None:
        """t ← t + 1, then the EMA update with ``α_t`` (§4.4)."""
        ema = self.ema_for(model)
        self.ema_step += 1
        ema_update_(ema, model, warmup_alpha(int(self.ema_step), self.alpha))


def _stash_ema_state(module: TemporalConsistency, state_dict: dict[str, Any], prefix: str, *_: Any) -> None:
    """Load pre-hook: while ``ema`` is not built yet, keep its entries for :meth:`ema_for`.

    The base loader ignores keys of a child registered as None, so nothing is reported unexpected;
    a state without ``ema.*`` entries (a first round) leaves the EMA to be copied from the model.
    """
    if module.ema is not None:
        return
    head = prefix + "ema."
    pending = {k[len(head) :]: v for k, v in state_dict.items() if k.startswith(head)}
    module._pending_ema = pending or None


def _save_pending_ema(module: TemporalConsistency, state_dict: dict[str, Any], prefix: str, *_: Any) -> None:
    """State-dict post-hook: a loaded but not yet built EMA is saved again, not dropped."""
    if module.ema is None and module._pending_ema is not None:
        for key, value in module._pending_ema.items():
            state_dict[f"{prefix}ema.{key}"] = value.detach()


register_objective(
    "tod",
    unlabeled=True,
    description="ce + λ · consistency to an EMA copy of the model on unlabeled target; the EMA model and "
    "its step counter are kept across rounds (§4.4).",
    params=TODParams,
    paper="Huang et al., Semi-Supervised Active Learning with Temporal Output Discrepancy, ICCV 2021",
)(TemporalConsistency)
