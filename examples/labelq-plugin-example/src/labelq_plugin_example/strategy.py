"""example_ratio: the confidence ratio of the two most probable classes (the closest call first)."""

from __future__ import annotations

import torch
from pydantic import Field

from models.acquisition import AcquisitionContext, Selection, register_strategy, top_by_score
from models.params import Params


class RatioParams(Params):
    temperature: float = Field(1.0, gt=0, le=100, description="softmax temperature T of p = softmax(z / T)")


@register_strategy(
    "example_ratio",
    needs_features=False,
    description="Highest confidence ratio p(2) / p(1) of the two most probable classes (1: a tie, "
    "0: certain), p = softmax(z / temperature).",
    params=RatioParams,
    paper="labelq-plugin-example (an example plugin)",
)
def example_ratio(ctx: AcquisitionContext, budget: int, temperature: float = 1.0) -> Selection:
    if budget < 0:
        raise ValueError(f"budget must be >= 0, got {budget}")
    top2 = torch.softmax(ctx.unlabeled.logits.double() / temperature, dim=1).topk(2, dim=1).values
    ratio = (top2[:, 1] / top2[:, 0]).float()
    return top_by_score(ratio, budget, {"ratio": ratio})
