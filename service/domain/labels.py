"""Labels and the budget ledger.

One transaction, with the project row locked, checks and writes: labels bought never exceed the
budget, even under concurrent requests. A label for an item an open round selected spends that
round's reservation; any other label may only spend what no round has reserved. A label counts
against the budget once, when an unlabeled item first receives it. The same label again is a
no-op; a different label is refused with 409 unless ``overwrite`` is set. Every label received
is kept as an annotation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from service.db.bulk import insert_rows, set_by_id
from service.db.metadata import utcnow
from service.db.tables import Annotation, Item, Pool, Project, Round, RoundSelection
from service.domain import rounds
from service.domain.inlists import rows_in, scalars_in
from service.domain.items import visible_items
from service.domain.locking import lock_project
from service.errors import BadInput, BudgetExhausted, Conflict, LabelConflict, NotFound

ANNOTATION_COLUMNS = (
    "project_id",
    "item_id",
    "round_id",
    "label",
    "previous_label",
    "kind",
    "annotator",
    "created_at",
)


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


def _resolve(session: Session, project_id: int, labels: list[LabelIn]) -> list[Row[Any]]:
    """The items the labels name, as rows (id, external_id, label, label_source, pool_id)."""
    in_project = select(Item.id, Item.external_id, Item.label, Item.label_source, Item.pool_id).where(
        visible_items(project_id)
    )
    found = rows_in(session, in_project, Item.id, [i.item_id for i in labels if i.item_id is not None])
    found += rows_in(
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


def _check_round(session: Session, project_id: int, round_id: int, items: list[Row[Any]]) -> None:
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
    unique: dict[int, Row[Any]],
    wanted: dict[int, int],
    cost: int,
    round_id: int | None,
    annotator: str | None,
    n_overwritten: int,
) -> LabelSummary:
    """Write in bulk: one annotation per item, the items that change, the pools' counters."""
    now = utcnow()
    notes: list[tuple[Any, ...]] = []
    changed: list[int] = []
    new_per_pool: Counter[int] = Counter()
    for item in unique.values():
        label = wanted[item.id]
        kind = "new" if item.label is None else ("same" if item.label == label else "overwrite")
        notes.append((project.id, item.id, round_id, label, item.label, kind, annotator, now))
        if kind != "same":
            changed.append(item.id)
        if kind == "new":
            new_per_pool[item.pool_id] += 1
    insert_rows(session, Annotation.__table__, ANNOTATION_COLUMNS, notes)
    labels = [wanted[i] for i in changed]
    set_by_id(session, Item.__table__, changed, "label", labels, label_source="annotator", labeled_at=now)
    project.budget_spent += cost
    for pool_id, n in new_per_pool.items():
        session.execute(update(Pool).where(Pool.id == pool_id).values(n_labeled=Pool.n_labeled + n))
    session.flush()
    round_ids = set(scalars_in(session, select(RoundSelection.round_id), RoundSelection.item_id, unique))
    rounds.close_if_complete(session, round_ids)
    accepted = sum(new_per_pool.values())
    return LabelSummary(
        accepted,
        len(unique) - len(changed),
        n_overwritten,
        project.budget_spent,
        project.budget - project.budget_spent,
    )


def remove(session: Session, project_id: int, item_ids: list[int], *, annotator: str | None) -> int:
    """Take the labels off ``item_ids`` (an annotation deleted in a labeling tool). What was spent
    stays spent, and labeling the item again costs nothing more. Returns how many lost a label."""
    lock_project(session, project_id)
    query = select(Item.id, Item.label, Item.pool_id).where(
        visible_items(project_id), Item.id.in_(item_ids), Item.label.is_not(None)
    )
    rows = session.execute(query).all()
    if not rows:
        return 0
    now = utcnow()
    notes = [(project_id, r.id, None, r.label, r.label, "removed", annotator, now) for r in rows]
    insert_rows(session, Annotation.__table__, ANNOTATION_COLUMNS, notes)
    session.execute(update(Item).where(Item.id.in_([r.id for r in rows])).values(label=None))
    for pool_id, n in Counter(r.pool_id for r in rows).items():
        session.execute(update(Pool).where(Pool.id == pool_id).values(n_labeled=Pool.n_labeled - n))
    session.flush()
    return len(rows)
