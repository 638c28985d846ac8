"""Acquisition strategies: one signature, one registry (see base.py)."""

from models.acquisition import auto as _auto  # noqa: F401  (each import registers strategies)
from models.acquisition import badge as _badge  # noqa: F401
from models.acquisition import clue as _clue  # noqa: F401
from models.acquisition import cod as _cod  # noqa: F401
from models.acquisition import coreset as _coreset  # noqa: F401
from models.acquisition import energy as _energy  # noqa: F401
from models.acquisition import forge as _forge  # noqa: F401
from models.acquisition import gradnorm as _gradnorm  # noqa: F401
from models.acquisition import uncertainty as _uncertainty  # noqa: F401  (registers strategies)
from models.acquisition.base import (
    AcquisitionContext,
    PoolOutputs,
    Selection,
    StrategyInfo,
    get_strategy,
    list_strategies,
    register_strategy,
    select_topk,
    top_by_score,
)

__all__ = [
    "AcquisitionContext",
    "PoolOutputs",
    "Selection",
    "StrategyInfo",
    "get_strategy",
    "list_strategies",
    "register_strategy",
    "select_topk",
    "top_by_score",
]
