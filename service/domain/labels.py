"""Labels and the budget ledger.

One transaction, with the project row locked, checks and writes: labels bought never exceed the
budget, even under concurrent requests. A label for an item an open round selected spends that
round's reservation; any other label may only spend what no round has reserved. A label counts
against the budget once, when an unlabeled item first receives it. The same label again is a
no-op; a different label is refused with 409 unless ``overwrite`` is set. Every label received
is kept as an annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.metadata import utcnow
from service.db.tables import Annotation, Item, Pool, Project, Round, RoundSelection
from service.domain import rounds
from service.domain.inlists import scalars_in
from service.domain.items import visible_items
from service.domain.locking import lock_project
from service.errors import BadInput, BudgetExhausted, Conflict, LabelConflict, NotFound


@dataclass(frozen=True)
class LabelIn:
    label: int
    item_id: int | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class LabelSummary:
    accepted: int
    unchanged: int
    overwritten: int
    budget_spent: int
    budget_left: int


def _resolve(session: Session, project_id: int, labels: list[LabelIn]) -> list[Item]:
    in_project = select(Item).where(visible_items(project_id))
    found: list[Item] = scalars_in(
        session, in_project, Item.id, [i.item_id for i in labels if i.item_id is not None]
    )
    found += scalars_in(
        session, in_project, Item.external_id, [i.external_id or "" for i in labels if i.item_id is None]
    )
    ids = {i.id: i for i in found}
    exts = {i.external_id: i for i in found}
    out, missing = [], []
    for entry in labels:
        item = ids.get(entry.item_id) if entry.item_id is not None else exts.get(entry.external_id or "")
        if item is None:
            missing.append(entry.item_id if entry.item_id is not None else entry.external_id)
        out.append(item)
    if missing:
        raise NotFound(f"{len(missing)} items not found in this project (first: {missing[:5]})")
    return out


def _check_round(session: Session, project_id: int, round_id: int, items: list[Item]) -> None:
    rnd = rounds.get(session, round_id)
    if rnd.project_id != project_id:
        raise NotFound(f"round {round_id} not found")
    if rnd.status in ("failed", "cancelled", "pending", "scoring"):
        raise Conflict(f"round {round_id} is {rnd.status}; it takes no labels")
    selected = _selected_in(session, [i.id for i in items], round_id=round_id)
    outside = [i.external_id for i in items if i.id not in selected]
    if outside:
        raise BadInput(f"{len(outside)} items were not selected in round {round_id} (first: {outside[:5]})")


def _selected_in(session: Session, item_ids: list[int], *, round_id: int) -> set[int]:
    """Which of these items round ``round_id`` selected."""
    query = select(RoundSelection.item_id).where(RoundSelection.round_id == round_id)
    return set(scalars_in(session, query, RoundSelection.item_id, item_ids))


def _reserved_for(session: Session, project_id: int, item_ids: list[int]) -> int:
    """How many of these (unlabeled) items a ready round of the project holds a reservation for."""
    query = (
        select(RoundSelection.item_id)
        .join(Round, Round.id == RoundSelection.round_id)
        .where(Round.project_id == project_id, Round.status == "ready")
    )
    return len(set(scalars_in(session, query, RoundSelection.item_id, item_ids)))


def submit(
    session: Session,
    project_id: int,
    labels: list[LabelIn],
    *,
    round_id: int | None,
    annotator: str | None,
    overwrite: bool,
) -> LabelSummary:
    project = lock_project(session, project_id)
    items = _resolve(session, project_id, labels)
    n_classes = len(project.classes)
    wanted: dict[int, int] = {}
    for entry, item in zip(labels, items, strict=True):
        if not 0 <= entry.label < n_classes:
            raise BadInput(f"label {entry.label} for {item.external_id!r} is outside 0..{n_classes - 1}")
        if wanted.setdefault(item.id, entry.label) != entry.label:
            raise BadInput(f"item {item.external_id!r} appears twice with different labels")
    if round_id is not None:
        _check_round(session, project_id, round_id, items)
    unique = {i.id: i for i in items}
    conflicts = [i for i in unique.values() if i.label is not None and i.label != wanted[i.id]]
    if conflicts and not overwrite:
        first = conflicts[0]
        raise LabelConflict(
            f"{len(conflicts)} items already carry a different label (e.g. {first.external_id!r} has "
            f"{first.label}); send overwrite=true to replace them"
        )
    paying = [i.id for i in unique.values() if i.label is None and i.label_source is None]
    cost = len(paying)
    promised = _reserved_for(session, project_id, paying)
    left, reserved = rounds.budget_left(session, project)
    if cost - promised > left:
        raise BudgetExhausted(
            f"these labels cost {cost - promised} beyond what open rounds reserved for them, but only "
            f"{left} are left of the budget {project.budget} (spent {project.budget_spent}, reserved by "
            f"open rounds {reserved})",
            budget_left=left,
        )
    return _apply(session, project, unique, wanted, cost, round_id, annotator, len(conflicts))


def _apply(
    session: Session,
    project: Project,
    unique: dict[int, Item],
    wanted: dict[int, int],
    cost: int,
    round_id: int | None,
    annotator: str | None,
    n_overwritten: int,
) -> LabelSummary:
    now = utcnow()
    accepted = unchanged = 0
    touched_pools: dict[int, int] = {}
    for item in unique.values():
        label = wanted[item.id]
        kind = "new" if item.label is None else ("same" if item.label == label else "overwrite")
        session.add(
            Annotation(
                project_id=project.id,
                item_id=item.id,
                round_id=round_id,
                label=label,
                previous_label=item.label,
                kind=kind,
                annotator=annotator,
                created_at=now,
            )
        )
        if kind == "same":
            unchanged += 1
            continue
        if kind == "new":
            accepted += 1
            touched_pools[item.pool_id] = touched_pools.get(item.pool_id, 0) + 1
        item.label, item.label_source, item.labeled_at = label, "annotator", now
    project.budget_spent += cost
    for pool_id, n in touched_pools.items():
        pool = session.get(Pool, pool_id)
        if pool is not None:
            pool.n_labeled += n
    session.flush()
    round_ids = set(scalars_in(session, select(RoundSelection.round_id), RoundSelection.item_id, unique))
    rounds.close_if_complete(session, round_ids)
    return LabelSummary(
        accepted, unchanged, n_overwritten, project.budget_spent, project.budget - project.budget_spent
    )
