"""Which items exist for everyone: those of pools that finished importing.

A pool imports in committed batches; until its last batch commits (and the pool turns ``ready``)
its items are in the table but belong to no query that serves, labels, scores or trains. Every
item query of a project starts from :func:`visible_items` (the uniqueness of external ids is the one
rule that counts importing items too: the table's constraint enforces it).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select

from service.db.tables import Item, Pool


def visible_items(project_id: int) -> ColumnElement[bool]:
    """Items of the project whose pool is ready."""
    ready = select(Pool.id).where(Pool.project_id == project_id, Pool.status == "ready")
    return and_(Item.project_id == project_id, Item.pool_id.in_(ready))
