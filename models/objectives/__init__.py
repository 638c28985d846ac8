"""Training objectives: ce now; eada, tod, dann, gh, ghpp register here as they land."""

from models.objectives import dann as _dann  # noqa: F401  (registers "dann")
from models.objectives import energy as _energy  # noqa: F401  (registers "eada")
from models.objectives import gh as _gh  # noqa: F401  (registers "gh", "ghpp")
from models.objectives import supervised as _supervised  # noqa: F401  (registers "ce")
from models.objectives import tod as _tod  # noqa: F401  (registers "tod")
from models.objectives.base import (
    Batch,
    LossTerms,
    Objective,
    build_objective,
    list_objectives,
    register_objective,
)
from models.objectives.harmonize import gh_weights, ghpp_exact_weights, ghpp_weights

__all__ = [
    "Batch",
    "LossTerms",
    "Objective",
    "build_objective",
    "gh_weights",
    "ghpp_exact_weights",
    "ghpp_weights",
    "list_objectives",
    "register_objective",
]
