"""Rounds: a persisted state machine ``pending -> scoring -> ready -> closed`` (or failed,
cancelled), the reservation of selected items, and the budget check at request time.

An item is reserved while it is selected in an open round and still unlabeled; a new round never
sees reserved or labeled items. The budget is a ledger of promises: a pending or scoring round
reserves its whole budget, a ready round its still-unlabeled selections, and at every instant
``budget_spent + reserved <= budget``. A round may only ask for what is left after both, checked
under the project lock at request time and again when its picks are persisted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from service import queue
from service.db.engine import is_postgres
from service.db.metadata import utcnow
from service.db.tables import Item, Project, Round, RoundSelection
from service.domain import checkpoints, jobs
from service.domain.inlists import scalars_in
from service.domain.items import visible_items
from service.domain.locking import lock_project
from service.errors import BudgetExhausted, Conflict, EmptyPool, NotFound

OPEN = ("pending", "scoring", "ready")
TERMINAL = ("closed", "failed", "cancelled")


@dataclass(frozen=True)
class Pick:
    item_id: int
    score: float
    components: dict[str, float]
    prediction: dict[str, Any] | None = None  # the checkpoint's predicted class and top-k


def get(session: Session, round_id: int) -> Round:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} not found")
    return rnd


def selections(
    session: Session, round_id: int, *, limit: int | None = None, after_rank: int | None = None
) -> Sequence[tuple[RoundSelection, Item]]:
    """A page of the round's selection, best first (keyset on rank)."""
    query = (
        select(RoundSelection, Item)
        .join(Item, Item.id == RoundSelection.item_id)
        .where(RoundSelection.round_id == round_id)
        .order_by(RoundSelection.rank)
        .limit(limit)
    )
    if after_rank is not None:
        query = query.where(RoundSelection.rank > after_rank)
    return [(sel, item) for sel, item in session.execute(query).all()]


def n_selected(session: Session, round_id: int) -> int:
    query = select(func.count()).select_from(RoundSelection).where(RoundSelection.round_id == round_id)
    return int(session.execute(query).scalar_one())


def _reserved_ids(session: Session, project_id: int, *, except_round: int | None = None) -> set[int]:
    query = (
        select(RoundSelection.item_id)
        .join(Round, Round.id == RoundSelection.round_id)
        .join(Item, Item.id == RoundSelection.item_id)
        .where(Round.project_id == project_id, Round.status.in_(OPEN), Item.label.is_(None))
    )
    if except_round is not None:
        query = query.where(Round.id != except_round)
    return set(session.execute(query).scalars().all())


def reserved_budgets(
    session: Session, project_ids: Sequence[int], *, except_round: int | None = None
) -> dict[int, int]:
    """Labels promised to open rounds, per project: the budgets of pending/scoring rounds plus the
    unlabeled selections of ready rounds (two grouped aggregates, no id lists)."""
    in_flight = (
        select(Round.project_id, func.sum(Round.budget))
        .where(Round.project_id.in_(project_ids), Round.status.in_(("pending", "scoring")))
        .group_by(Round.project_id)
    )
    selected = (
        select(Round.project_id, func.count())
        .select_from(RoundSelection)
        .join(Round, Round.id == RoundSelection.round_id)
        .join(Item, Item.id == RoundSelection.item_id)
        .where(Round.project_id.in_(project_ids), Round.status == "ready", Item.label.is_(None))
        .group_by(Round.project_id)
    )
    if except_round is not None:
        in_flight = in_flight.where(Round.id != except_round)
        selected = selected.where(Round.id != except_round)
    out: dict[int, int] = {}
    for query in (in_flight, selected):
        for project_id, n in session.execute(query):
            out[project_id] = out.get(project_id, 0) + int(n or 0)
    return out


def reserved_budget(session: Session, project_id: int, *, except_round: int | None = None) -> int:
    return reserved_budgets(session, [project_id], except_round=except_round).get(project_id, 0)


def budget_left(session: Session, project: Project, *, except_round: int | None = None) -> tuple[int, int]:
    """(labels still buyable, labels reserved by open rounds)."""
    reserved = reserved_budget(session, project.id, except_round=except_round)
    return project.budget - project.budget_spent - reserved, reserved


def unlabeled_target(session: Session, project_id: int) -> Sequence[tuple[int, int, int]]:
    """(item_id, pool_id, row) of unlabeled target train items, sorted by item id. On PostgreSQL
    as three arrays in one row (a million rows as result rows cost seconds, as arrays a tenth)."""
    where = and_(
        visible_items(project_id),
        Item.domain == "target",
        Item.split == "train",
        Item.label.is_(None),
    )
    if is_postgres(session):
        columns = [func.array_agg(aggregate_order_by(c, Item.id)) for c in (Item.id, Item.pool_id, Item.row)]
        ids, pools, rows = session.execute(select(*columns).where(where)).one()
        return list(zip(ids or [], pools or [], rows or [], strict=True))
    return session.execute(select(Item.id, Item.pool_id, Item.row).where(where).order_by(Item.id)).all()


def _any_candidate(session: Session, project_id: int) -> bool:
    """Whether one unlabeled target train item is not reserved by an open round (one indexed
    EXISTS, not the id lists: this runs under the project lock)."""
    reserved = (
        select(RoundSelection.item_id)
        .join(Round, Round.id == RoundSelection.round_id)
        .where(Round.project_id == project_id, Round.status.in_(OPEN))
    )
    query = select(Item.id).where(
        visible_items(project_id),
        Item.domain == "target",
        Item.split == "train",
        Item.label.is_(None),
        Item.id.not_in(reserved),
    )
    return session.execute(query.limit(1)).first() is not None


def candidates(session: Session, project_id: int, round_id: int) -> list[tuple[int, int, int]]:
    """The pool a round scores: unlabeled target train items not reserved by another open round."""
    reserved = _reserved_ids(session, project_id, except_round=round_id)
    return [row for row in unlabeled_target(session, project_id) if row[0] not in reserved]


def request(
    session: Session,
    project_id: int,
    *,
    budget: int,
    strategy: str,
    params: dict[str, Any],
    checkpoint_id: int | None,
    idempotency_key: str | None,
    seed: int,
) -> tuple[Round, bool]:
    """A new pending round and its scoring job; or the round an idempotency key already made."""
    project = lock_project(session, project_id)
    if idempotency_key is not None:
        existing = session.execute(
            select(Round).where(Round.project_id == project_id, Round.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if existing is not None:
            asked = (budget, strategy, params, seed)
            if (existing.budget, existing.strategy, existing.params, existing.seed) != asked or (
                checkpoint_id is not None and checkpoint_id != existing.checkpoint_id
            ):
                raise Conflict("this idempotency key was used for a different request")
            return existing, False
    ckpt = checkpoints.resolve_ready(session, project_id, checkpoint_id)
    left, reserved = budget_left(session, project)
    if budget > left:
        raise BudgetExhausted(
            f"asked for {budget} labels but only {left} are left "
            f"(budget {project.budget}, spent {project.budget_spent}, reserved by open rounds {reserved})",
            budget_left=left,
        )
    if not _any_candidate(session, project_id):
        raise EmptyPool("the unlabeled target pool is empty (every item is labeled or reserved)")
    number = session.execute(select(func.count()).where(Round.project_id == project_id)).scalar_one() + 1
    rnd = Round(
        project_id=project_id,
        number=number,
        checkpoint_id=ckpt.id,
        checkpoint_sha256=ckpt.sha256,
        strategy=strategy,
        params=params,
        budget=budget,
        seed=seed,
        status="pending",
        idempotency_key=idempotency_key,
    )
    session.add(rnd)
    session.flush()
    job = jobs.create(
        session,
        kind="score_round",
        task=queue.SCORE_ROUND,
        project_id=project_id,
        payload={"round_id": rnd.id},
    )
    rnd.job_id = job.id
    session.flush()
    return rnd, True


def start_scoring(session: Session, rnd: Round) -> None:
    """pending -> scoring; a retried job (its first worker was lost) finds it scoring already."""
    if rnd.status not in ("pending", "scoring"):
        raise Conflict(f"round {rnd.id} is {rnd.status}, not pending")
    rnd.status = "scoring"
    session.flush()


def persist(
    session: Session, rnd: Round, picks: list[Pick], pool_size: int, choice: dict[str, Any] | None = None
) -> list[int]:
    """Store the picks, best first, and mark the round ready.

    Under the project lock, re-check the ledger and that no pick was labeled or reserved meanwhile;
    returns the clashing item ids instead of storing anything when there are some (the caller
    re-selects).
    """
    project = lock_project(session, rnd.project_id)
    session.refresh(rnd)
    if rnd.status != "scoring":
        raise Conflict(f"round {rnd.id} is {rnd.status}, not scoring")
    left, _ = budget_left(session, project, except_round=rnd.id)
    if len(picks) > min(left, rnd.budget):
        raise BudgetExhausted(f"round {rnd.id} selected {len(picks)} items but only {left} labels are left")
    ids = {p.item_id for p in picks}
    taken = _reserved_ids(session, rnd.project_id, except_round=rnd.id)
    labeled = set(scalars_in(session, select(Item.id).where(Item.label.is_not(None)), Item.id, ids))
    clashes = sorted((taken | labeled) & ids)
    if clashes:
        return clashes
    if picks:
        session.execute(
            insert(RoundSelection),
            [
                {
                    "round_id": rnd.id,
                    "item_id": p.item_id,
                    "rank": r,
                    "score": p.score,
                    "components": p.components,
                    "prediction": p.prediction,
                }
                for r, p in enumerate(picks)
            ],
        )
    rnd.status, rnd.pool_size, rnd.choice = "ready", pool_size, choice
    session.flush()
    return []


def cancel(session: Session, rnd: Round) -> Round:
    if rnd.status in TERMINAL:
        raise Conflict(f"round {rnd.id} is already {rnd.status}")
    rnd.status, rnd.closed_at = "cancelled", utcnow()
    if rnd.job_id is not None:
        job = jobs.get(session, rnd.job_id)
        if job.status not in jobs.TERMINAL:
            job.cancel_requested = True
    session.flush()
    return rnd


def close(session: Session, rnd: Round) -> Round:
    if rnd.status != "ready":
        raise Conflict(f"round {rnd.id} is {rnd.status}; only a ready round can be closed")
    rnd.status, rnd.closed_at = "closed", utcnow()
    session.flush()
    return rnd


def close_if_complete(session: Session, round_ids: set[int]) -> None:
    """Close ready rounds whose every selected item is now labeled."""
    for rid in round_ids:
        rnd = session.get(Round, rid)
        if rnd is None or rnd.status != "ready":
            continue
        open_items = session.execute(
            select(func.count())
            .select_from(RoundSelection)
            .join(Item, Item.id == RoundSelection.item_id)
            .where(RoundSelection.round_id == rid, Item.label.is_(None))
        ).scalar_one()
        if open_items == 0:
            rnd.status, rnd.closed_at = "closed", utcnow()
    session.flush()


def release_items(session: Session, project_id: int, item_ids: list[int]) -> int:
    """Take unlabeled ``item_ids`` out of the project's ready rounds (a labeling tool skipped them):
    their reservation is freed and another round may select them. Returns how many selections."""
    lock_project(session, project_id)
    query = (
        select(RoundSelection.id)
        .join(Round, Round.id == RoundSelection.round_id)
        .join(Item, Item.id == RoundSelection.item_id)
        .where(
            Round.project_id == project_id,
            Round.status == "ready",
            RoundSelection.item_id.in_(item_ids),
            Item.label.is_(None),
        )
    )
    ids = list(session.execute(query).scalars())
    if ids:
        session.execute(delete(RoundSelection).where(RoundSelection.id.in_(ids)))
        session.flush()
    return len(ids)


def latest_open_id(session: Session, project_id: int) -> int | None:
    """The newest ready round of the project (what a labeling tool should serve first)."""
    query = select(func.max(Round.id)).where(Round.project_id == project_id, Round.status == "ready")
    return session.execute(query).scalar()
