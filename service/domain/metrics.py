"""Per-round and per-checkpoint figures for GET /projects/{id}/metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.tables import Checkpoint, Item, Round, RoundSelection


@dataclass(frozen=True)
class RoundStats:
    round_id: int
    number: int
    status: str
    strategy: str
    budget: int
    selected: int
    labeled: int
    score_mean: float | None
    score_min: float | None
    score_max: float | None
    checkpoint_id: int
    checkpoint_version: int
    eval_accuracy: float | None


def checkpoints(
    session: Session, project_id: int, *, limit: int | None = None, offset: int = 0
) -> Sequence[Checkpoint]:
    return (
        session.execute(
            select(Checkpoint)
            .where(Checkpoint.project_id == project_id, Checkpoint.status == "ready")
            .order_by(Checkpoint.version)
            .limit(limit)
            .offset(offset)
        )
        .scalars()
        .all()
    )


def stop_kappas(session: Session, project_id: int, window: int) -> list[float | None]:
    """``stop_kappa`` of the project's latest ``window`` ready checkpoints, oldest first (None
    where a checkpoint has none)."""
    rows = session.execute(
        select(Checkpoint.metrics)
        .where(Checkpoint.project_id == project_id, Checkpoint.status == "ready")
        .order_by(Checkpoint.version.desc())
        .limit(window)
    ).scalars()
    kappas = [(m or {}).get("stop_kappa") for m in rows]
    return [None if k is None else float(k) for k in reversed(kappas)]


def rounds(
    session: Session, project_id: int, *, limit: int | None = None, offset: int = 0
) -> list[RoundStats]:
    """Each round with its selection's size and score range, how many of its items are labeled,
    and the eval accuracy of the checkpoint it scored with."""
    sel = (
        select(
            RoundSelection.round_id,
            func.count().label("selected"),
            func.count(Item.label).label("labeled"),
            func.avg(RoundSelection.score).label("mean"),
            func.min(RoundSelection.score).label("min"),
            func.max(RoundSelection.score).label("max"),
        )
        .join(Item, Item.id == RoundSelection.item_id)
        .group_by(RoundSelection.round_id)
        .subquery()
    )
    rows = session.execute(
        select(Round, Checkpoint.version, Checkpoint.metrics, sel)
        .join(Checkpoint, Checkpoint.id == Round.checkpoint_id)
        .outerjoin(sel, sel.c.round_id == Round.id)
        .where(Round.project_id == project_id)
        .order_by(Round.number)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_stats(r) for r in rows]


def _stats(row: Any) -> RoundStats:
    rnd, metrics = row.Round, row.metrics or {}
    return RoundStats(
        round_id=rnd.id,
        number=rnd.number,
        status=rnd.status,
        strategy=rnd.strategy,
        budget=rnd.budget,
        selected=row.selected or 0,
        labeled=row.labeled or 0,
        score_mean=None if row.mean is None else float(row.mean),
        score_min=None if row.min is None else float(row.min),
        score_max=None if row.max is None else float(row.max),
        checkpoint_id=rnd.checkpoint_id,
        checkpoint_version=row.version,
        eval_accuracy=metrics.get("eval_accuracy"),
    )
