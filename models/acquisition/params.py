"""Parameter models of the built-in acquisition strategies (torch-free).

Field names, defaults and Literal values mirror the keyword arguments of the strategy functions
(a contract test compares them); each strategy registers with its model (base.register_strategy).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from models.params import Params

FirstCentre = Literal["random", "index0", "max_norm"]
FIRST_CENTRE_HELP = (
    "first pick when there is no centre yet: 'random' (seeded, FORGE Alg. 1), 'index0' (pool index 0), "
    "'max_norm' (largest embedding norm)"
)


class EadaParams(Params):
    alpha1: float = Field(
        0.5,
        gt=0,
        le=1,
        description="candidate ratio: the top ceil(alpha1 * N_total) items by free energy (at least the "
        "budget) go to the MvSM stage (EADA §1.3)",
    )


class GradNormParams(Params):
    scope: Literal["full", "last_layer"] = Field(
        "full",
        description="'full': per-sample gradient over every parameter (torch.func, needs the model); "
        "'last_layer': closed form on the classifier from logits and features",
    )
    norm_mode: Literal["layer_sum", "global"] = Field(
        "layer_sum",
        description="'layer_sum': sum over parameter tensors of their L2 norms (reference code); "
        "'global': one L2 norm over all parameters",
    )
    chunk_size: int = Field(
        32, ge=1, le=4096, description="samples per vmap chunk for scope='full' (memory ~ chunk x params)"
    )


class ForgeParams(Params):
    mode: Literal["global", "per_class_concat"] = Field(
        "global",
        description="'global': sqrt(C) u ⊗ h with u = (p - e_ŷ)/|p - e_ŷ|; 'per_class_concat': "
        "±h blocks per class (-h at the pseudo-label)",
    )
    include_bias: bool = Field(
        False, description="treat the classifier bias as a weight on a constant 1 input"
    )
    first: FirstCentre = Field("random", description=FIRST_CENTRE_HELP)


class CodParams(Params):
    space: Literal["softmax", "logits"] = Field(
        "softmax", description="outputs compared between cycles: softmax probabilities or raw logits"
    )
    first_cycle: Literal["random_ref_lowest", "init_snapshot_highest", "random"] = Field(
        "random_ref_lowest",
        description="without previous outputs: 'random_ref_lowest' compares with a seeded, randomly "
        "initialised network of the same architecture and keeps the lowest discrepancy (reference code); "
        "'init_snapshot_highest' needs the outputs of a snapshot taken before the first cycle (paper); "
        "'random' picks at random",
    )
    subset: int | None = Field(
        25_000,
        ge=1,
        description="score only a seeded random subset of this many unlabeled items (reference code's "
        "SUBSET for CIFAR-10/100); null scores every item",
    )


class CoresetParams(Params):
    first: FirstCentre = Field(
        "random", description=FIRST_CENTRE_HELP + "; used only when nothing is labeled"
    )


class ClueParams(Params):
    temperature: float = Field(
        1.0,
        gt=0,
        le=100,
        description="softmax temperature of the entropy weights (1.0 digits, 0.1 DomainNet)",
    )
    n_iter: int = Field(20, ge=1, le=1000, description="maximum Lloyd iterations of the weighted k-means")


Arm = Literal[
    "random",
    "entropy",
    "margin",
    "least_confidence",
    "eada",
    "free_energy",
    "mvsm",
    "forge",
    "coreset",
    "badge",
    "clue",
]  # the strategies that need neither the network nor the previous checkpoint


class AutoParams(Params):
    arms: tuple[Arm, ...] = Field(
        ("random", "entropy", "badge", "coreset"),
        min_length=2,
        max_length=11,
        json_schema_extra={"uniqueItems": True},
        description="the strategies the bandit chooses among (each with its default parameters)",
    )
    gamma: float = Field(
        0.2, gt=0, le=1, description="EXP3's exploration: every arm keeps at least gamma / K probability"
    )

    @model_validator(mode="after")
    def _distinct(self) -> AutoParams:
        if len(set(self.arms)) != len(self.arms):
            raise ValueError("arms must be distinct")
        return self
