"""Parameter models of the built-in training objectives (torch-free); each objective registers
with its model (base.register_objective).

Section numbers refer to ALGORITHMS.md. ``dann`` (and gh/ghpp with align="dann") also need the
network's ``feature_dim``: the worker adds it from the network, so it is not a user parameter.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from models.params import Params


class CEParams(Params):
    source_weight: float = Field(1.0, ge=0, description="weight of the source cross-entropy mean")
    target_weight: float = Field(1.0, ge=0, description="weight of the labeled-target cross-entropy mean")


class EADAParams(CEParams):
    gamma: float = Field(
        0.01, ge=0, description="weight γ of the free-energy alignment term (paper 0.01; VisDA code 0.0005)"
    )
    seed: int = Field(0, ge=0, description="seed of the λ_t ~ U(0,1) draws of the running source statistic Δ")


class TODParams(CEParams):
    lam: float = Field(0.05, ge=0, description="weight λ of the EMA consistency loss L_U (§4.4)")
    alpha: float = Field(0.999, ge=0, le=1, description="EMA decay α; warm-up min(1 − 1/(t+1), α)")
    mode: Literal["paper", "code"] = Field(
        "paper",
        description="paper: ‖f(x;w) − f(x;w̃)‖² on unlabeled target (Eq. 7); "
        "code: MSE on logits of the labeled and unlabeled batches (one-head form of the reference code)",
    )
    space: Literal["logits", "softmax"] = Field(
        "logits", description="output space f of the paper-mode consistency loss (reference code: logits)"
    )
    reduction: Literal["mean", "sum"] = Field(
        "mean",
        description="paper mode: 'mean' = F.mse_loss over batch and classes (reference code), "
        "'sum' = Eq. 7's squared L2 norm per item, averaged over the batch",
    )


class DANNParams(CEParams):
    trade_off: float = Field(1.0, ge=0, description="weight of the domain-adversarial loss")
    hidden: int = Field(256, ge=1, le=65536, description="width of the domain discriminator's hidden layers")


_ALIGN_ONLY: dict[str, tuple[str, ...]] = {
    "eada": ("gamma", "seed"),
    "tod": ("lam", "alpha", "mode", "space", "reduction"),
    "dann": ("trade_off", "hidden"),
}


def _only_chosen_alignment_schema(schema: dict[str, Any]) -> None:
    """The cross-field rule below in JSON-schema terms (what the API checks, defaults filled in):
    for each alignment, the other alignments' parameters must be null."""
    schema["allOf"] = [
        {
            "if": {"properties": {"align": {"const": align}}, "required": ["align"]},
            "then": {
                "properties": {
                    name: {"type": "null"}
                    for other, names in _ALIGN_ONLY.items()
                    if other != align
                    for name in names
                }
            },
        }
        for align in _ALIGN_ONLY
    ]


class GHParams(CEParams):
    """The chosen alignment's parameters, flat; those of the other alignments must stay unset."""

    model_config = ConfigDict(json_schema_extra=_only_chosen_alignment_schema)

    align: Literal["dann", "eada", "tod"] = Field(
        "dann", description="alignment term L1 whose gradient is harmonized with the classification term's"
    )
    gamma: float | None = Field(None, ge=0, description="align=eada: γ (default 0.01)")
    seed: int | None = Field(None, ge=0, description="align=eada: seed of the λ_t draws (default 0)")
    lam: float | None = Field(None, ge=0, description="align=tod: λ (default 0.05)")
    alpha: float | None = Field(None, ge=0, le=1, description="align=tod: EMA decay α (default 0.999)")
    mode: Literal["paper", "code"] | None = Field(None, description="align=tod: loss mode (default paper)")
    space: Literal["logits", "softmax"] | None = Field(
        None, description="align=tod: output space (default logits)"
    )
    reduction: Literal["mean", "sum"] | None = Field(
        None, description="align=tod: consistency reduction (default mean)"
    )
    trade_off: float | None = Field(None, ge=0, description="align=dann: trade-off λ1 (default 1.0)")
    hidden: int | None = Field(
        None, ge=1, le=65536, description="align=dann: discriminator width (default 256)"
    )

    @model_validator(mode="after")
    def _only_chosen_alignment(self) -> GHParams:
        foreign = [
            name
            for align, names in _ALIGN_ONLY.items()
            if align != self.align
            for name in names
            if getattr(self, name) is not None
        ]
        if foreign:
            raise ValueError(f"parameters {foreign} do not apply to align={self.align!r}")
        return self


class GHPPParams(GHParams):
    k: float = Field(0.5, ge=0, le=1, description="share of the rotation θ − π/2 given to g1 (Eq. 36)")
    ghpp_mode: Literal["code", "exact_rotation"] = Field(
        "code",
        description="code: the authors' weights 1 ± 2 sin(β/2) (§5.3); exact_rotation: rotate both "
        "gradients in their plane to a right angle (§5.4, not what produced the paper's numbers)",
    )
