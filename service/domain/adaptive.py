"""What an adaptive strategy (``auto``, models/acquisition/auto.py) reads of a project's past
rounds: the bandit's history as the latest earlier auto round left it, and the items auto rounds
bought with their mixture probabilities (for the reward, ALBL's importance-weighted accuracy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import Item, Round, RoundSelection
from service.domain.items import visible_items

AUTO = "auto"
SCORED = ("ready", "closed")  # rounds whose choice stands (not cancelled, not failed)


def bandit_history(session: Session, project_id: int, before: int) -> list[dict[str, Any]]:
    """The steps of the project's auto rounds numbered below ``before``, oldest first: the history
    the latest of them was given (rewards included) and its own step, not rewarded yet."""
    last = session.execute(
        select(Round.choice)
        .where(
            Round.project_id == project_id,
            Round.strategy == AUTO,
            Round.status.in_(SCORED),
            Round.number < before,
            Round.choice.is_not(None),
        )
        .order_by(Round.number.desc())
        .limit(1)
    ).scalar_one_or_none()
    if not last:
        return []
    step = {"arm": last["arm"], "probability": float(last["probability"]), "reward": None}
    return [*last.get("history", []), step]


def bought(session: Session, project_id: int) -> list[tuple[int, int, int, float]]:
    """(pool_id, row, label, q) of the labeled items that auto rounds selected, by item id."""
    rows = session.execute(
        select(Item.pool_id, Item.row, Item.label, RoundSelection.components)
        .join(RoundSelection, RoundSelection.item_id == Item.id)
        .join(Round, Round.id == RoundSelection.round_id)
        .where(
            visible_items(project_id),
            Item.label.is_not(None),
            Round.strategy == AUTO,
            Round.status.in_(SCORED),
        )
        .order_by(Item.id)
    ).all()
    out = []
    for pool_id, row, label, parts in rows:
        q = (parts or {}).get("mixture_probability")
        if q is not None and q > 0:
            out.append((pool_id, row, int(label), float(q)))
    return out
