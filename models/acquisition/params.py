"""Acquisition strategies as the API shows them. One CatalogEntry per strategy in models/.

Field names, defaults and Literal values mirror the keyword arguments of the strategy functions in
models/acquisition/ (a contract test compares them); this module stays torch-free.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from service.catalog.base import CatalogEntry, Params, catalog

FirstCentre = Literal["random", "index0", "max_norm"]
FIRST_CENTRE_HELP = (
    "first pick when there is no centre yet: 'random' (seeded, FORGE Alg. 1), 'index0' (pool index 0), "
    "'max_norm' (largest embedding norm)"
)


class NoParams(Params):
    pass


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


STRATEGIES: dict[str, CatalogEntry] = catalog(
    CatalogEntry("random", "Uniformly random items (seeded), the baseline every method must beat.", NoParams),
    CatalogEntry("entropy", "Highest predictive entropy H(softmax(z)).", NoParams),
    CatalogEntry("margin", "Smallest gap between the two most probable classes (BvSB).", NoParams),
    CatalogEntry("least_confidence", "Lowest top-class probability.", NoParams),
    CatalogEntry(
        "eada",
        "Two stages: the most target-like items by free energy -logsumexp(z), then the most uncertain of "
        "those by MvSM z(2) - z(1). Score = MvSM.",
        EadaParams,
        paper="Xie et al., Active Learning for Domain Adaptation: An Energy-Based Approach, AAAI 2022",
    ),
    CatalogEntry(
        "free_energy",
        "Ablation of EADA: highest free energy -logsumexp(z) alone.",
        NoParams,
        paper="Xie et al., AAAI 2022",
    ),
    CatalogEntry(
        "mvsm",
        "Ablation of EADA: highest min-versus-second-min energy margin z(2) - z(1) alone (logit margin).",
        NoParams,
        paper="Xie et al., AAAI 2022",
    ),
    CatalogEntry(
        "expected_gradnorm",
        "Largest gradient norm of the expected loss sum_i p_i CE(z, i) (= entropy) over the parameters.",
        GradNormParams,
        paper="Wang et al., Boosting Active Learning via Improving Test Performance, AAAI 2022",
    ),
    CatalogEntry(
        "entropy_gradnorm",
        "Largest gradient norm of the entropy H(softmax(z)); the same function as expected_gradnorm.",
        GradNormParams,
        paper="Wang et al., AAAI 2022",
    ),
    CatalogEntry(
        "forge",
        "k-center greedy on feature-norm scaled gradient embeddings sqrt(C) u ⊗ h (single round).",
        ForgeParams,
        paper="FORGE, single-round active adaptation, TMLR 2025",
    ),
    CatalogEntry(
        "cod",
        "Largest change of the outputs since the previous cycle's checkpoint, |f_c(x) - f_c-1(x)|.",
        CodParams,
        paper="Huang et al., Semi-Supervised Active Learning with Temporal Output Discrepancy, ICCV 2021",
    ),
    CatalogEntry(
        "coreset",
        "k-center greedy on penultimate features, with the labeled items as initial centres.",
        CoresetParams,
        paper="Sener & Savarese, Active Learning for CNNs: A Core-Set Approach, ICLR 2018",
    ),
    CatalogEntry(
        "badge",
        "k-means++ seeding on last-layer gradient embeddings (p - e_ŷ) ⊗ h: uncertain and diverse.",
        NoParams,
        paper="Ash et al., Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds, ICLR 2020",
    ),
    CatalogEntry(
        "clue",
        "Entropy-weighted k-means on features; the nearest item to each centroid.",
        ClueParams,
        paper="Prabhu et al., Active Domain Adaptation via Clustering Uncertainty-weighted Embeddings, "
        "ICCV 2021",
    ),
    CatalogEntry(
        "auto",
        "A bandit over strategies (EXP3): each round draws one arm and buys its batch; an arm's reward is "
        "the next checkpoint's importance-weighted accuracy on the labels auto rounds bought. The round's "
        "`choice` says which arm it used and why.",
        AutoParams,
        paper="Hsu & Lin, Active Learning by Learning, AAAI 2015",
    ),
)
