"""The catalog in the database: replaced whole by each worker when it starts (so a plugin
uninstalled from the worker image disappears), read by the API for every check."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from service.catalog.entries import KINDS, Catalog, Entry
from service.db.engine import is_postgres, session_scope
from service.db.metadata import utcnow
from service.db.tables import CatalogEntry
from service.errors import Unavailable


def publish(rows: list[dict[str, Any]], *, worker: str, version: str) -> None:
    """Replace the catalog with ``rows`` (models/catalog.py), in one transaction."""
    now = utcnow()
    with session_scope() as s:
        if is_postgres(s):  # two workers starting at once: one after the other
            s.execute(text("LOCK TABLE catalog_entries IN EXCLUSIVE MODE"))
        s.execute(delete(CatalogEntry))
        s.add_all(
            CatalogEntry(**{k: row[k] for k in _FIELDS}, worker=worker, version=version, published_at=now)
            for row in rows
        )


def load(session: Session | None = None) -> Catalog:
    """The published catalog; 503 while no worker has published one."""
    if session is None:
        with session_scope(readonly=True) as s:
            return load(s)
    rows = list(session.execute(select(CatalogEntry)).scalars())
    if not rows:
        raise Unavailable(
            "no worker has published its catalog (strategies, objectives, networks) yet: start one "
            "(labelq worker) or wait until it has started"
        )
    entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
    for r in sorted(rows, key=lambda r: (r.kind, r.name)):
        entries.setdefault(r.kind, {})[r.name] = Entry(**{k: getattr(r, k) for k in _FIELDS})
    last = max(rows, key=lambda r: r.published_at)
    return Catalog(entries, last.worker, last.version, last.published_at.isoformat())


_FIELDS = ("kind", "name", "description", "paper", "params_schema", "extra", "plugin")
