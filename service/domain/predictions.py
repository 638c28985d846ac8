"""Which items a prediction request names: item ids, external ids, or a page of a pool by row.
The worker reads their rows (service/domain/predictions.rows) and answers in the order asked."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.tables import Item, Pool
from service.domain.items import visible_items
from service.errors import NotFound


def resolve(
    session: Session,
    project_id: int,
    *,
    item_ids: Sequence[int] | None,
    external_ids: Sequence[str] | None,
    pool_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[int], int]:
    """(the item ids asked for, in order; how many there are in all). Unknown ids are a 404 that
    names them; a pool of another project or still importing is a 404 too."""
    if pool_id is not None:
        pool = session.get(Pool, pool_id)
        if pool is None or pool.project_id != project_id or pool.status != "ready":
            raise NotFound(f"pool {pool_id} not found (or not ready)")
        where = Item.pool_id == pool_id
        total = session.execute(select(func.count()).where(where)).scalar_one()
        page = select(Item.id).where(where).order_by(Item.row).offset(offset).limit(limit)
        return list(session.execute(page).scalars()), int(total)
    column = Item.id if item_ids is not None else Item.external_id
    wanted = list(item_ids if item_ids is not None else external_ids or [])
    found = dict(
        session.execute(select(column, Item.id).where(visible_items(project_id), column.in_(wanted))).all()
    )
    missing = [w for w in wanted if w not in found]
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise NotFound(f"items not in the project: {shown}")
    return [found[w] for w in wanted], len(wanted)


def rows(session: Session, item_ids: Sequence[int]) -> list[tuple[int, str, int, int]]:
    """(item_id, external_id, pool_id, row) of ``item_ids``, in their order."""
    query = select(Item.id, Item.external_id, Item.pool_id, Item.row).where(Item.id.in_(list(item_ids)))
    by_id = {r[0]: (r[0], r[1], r[2], r[3]) for r in session.execute(query).all()}
    return [by_id[i] for i in item_ids]
