"""Pool rules: start an upload, import parsed arrays as items, list items."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.db.bulk import insert_rows
from service.db.metadata import utcnow
from service.db.tables import Item, Pool, Project
from service.domain.inlists import scalars_in
from service.domain.items import visible_items
from service.domain.pools.parsing import ParsedPool
from service.errors import BadInput, InvalidPool, NotFound
from service.storage import BlobStore

DOMAINS = ("source", "target")
SPLITS = ("train", "eval")


def check_hidden_labels(domain: str, split: str, hidden_labels: bool) -> None:
    """Hidden labels (the simulation's oracle) exist only for the target train pool."""
    if hidden_labels and (domain, split) != ("target", "train"):
        raise BadInput(
            f"hidden_labels is only for target/train pools (the pool simulation mode labels), "
            f"not {domain}/{split}: source and eval pools are labeled openly"
        )


def start(
    session: Session,
    project: Project,
    *,
    domain: str,
    split: str,
    filename: str,
    labels_hidden: bool = False,
) -> Pool:
    if domain not in DOMAINS:
        raise BadInput(f"domain must be one of {DOMAINS}, got {domain!r}")
    if split not in SPLITS:
        raise BadInput(f"split must be one of {SPLITS}, got {split!r}")
    check_hidden_labels(domain, split, labels_hidden)
    pool = Pool(
        project_id=project.id,
        domain=domain,
        split=split,
        filename=filename[:255],
        status="importing",
        labels_hidden=labels_hidden,
    )
    session.add(pool)
    session.flush()
    return pool


def upload_key(pool_id: int) -> str:
    return f"uploads/pool-{pool_id}"


def array_key(pool_id: int) -> str:
    return f"pools/{pool_id}/x.npy"


def get(session: Session, pool_id: int) -> Pool:
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise NotFound(f"pool {pool_id} not found")
    return pool


def write_array(store: BlobStore, pool_id: int, parsed: ParsedPool) -> str:
    """The pool's array as a blob (before, and outside, the import's transaction): uint8 images as
    they are (workers read them as x / 255), anything else float32."""
    key = array_key(pool_id)
    dtype = np.uint8 if parsed.x.dtype == np.uint8 else np.float32
    with store.atomic_path(key) as tmp, open(tmp, "wb") as fh:  # straight to disk: no copy in memory
        np.save(fh, np.ascontiguousarray(parsed.x, dtype=dtype), allow_pickle=False)
    return key


@dataclass(frozen=True)
class ImportTarget:
    """What the batches of one import write into (read once, used outside any session)."""

    project_id: int
    pool_id: int
    domain: str
    split: str
    labels_hidden: bool


def begin_import(
    session: Session, pool: Pool, parsed: ParsedPool, *, hidden_labels: bool = False
) -> ImportTarget:
    """Check a parsed upload against the pool and the project, and clear what an earlier attempt
    of the same import left (its batches committed before its worker died)."""
    needs_labels = pool.domain == "source" or pool.split == "eval"
    if needs_labels and parsed.y is None:
        raise InvalidPool(f"a {pool.domain}/{pool.split} pool must carry labels ('y')")
    check_hidden_labels(pool.domain, pool.split, hidden_labels)
    if hidden_labels and parsed.y is None:
        raise InvalidPool("hidden_labels=true needs labels ('y') in the upload: they are the hidden truth")
    session.execute(delete(Item).where(Item.pool_id == pool.id))
    pool.labels_hidden = hidden_labels
    session.flush()
    return ImportTarget(pool.project_id, pool.id, pool.domain, pool.split, hidden_labels)


ITEM_COLUMNS = (
    "project_id",
    "pool_id",
    "row",
    "external_id",
    "domain",
    "split",
    "label",
    "label_source",
    "labeled_at",
    "hidden_label",
)


def item_batches(target: ImportTarget, parsed: ParsedPool, *, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The pool's item rows (tuples in ``ITEM_COLUMNS`` order), ``size`` at a time.

    ``labels_hidden``: ``y`` goes to ``items.hidden_label`` only (the simulation's oracle)
    and the items stay unlabeled, so rounds and training never see it.
    """
    y = None if parsed.y is None else parsed.y.tolist()
    hidden = y if target.labels_hidden else None
    shown = None if target.labels_hidden else y
    now = utcnow()
    head = (target.project_id, target.pool_id)
    where = (target.domain, target.split)
    for lo in range(0, len(parsed.ids), size):
        yield [
            (
                *head,
                i,
                parsed.ids[i],
                *where,
                None if shown is None else shown[i],
                None if shown is None else "upload",
                None if shown is None else now,
                None if hidden is None else hidden[i],
            )
            for i in range(lo, min(lo + size, len(parsed.ids)))
        ]


def insert_items(session: Session, target: ImportTarget, rows: list[tuple[Any, ...]]) -> None:
    """One batch of an import (COPY on PostgreSQL). External ids that the project already holds
    (another pool's, even one still importing) refuse the import, naming them."""
    try:
        with session.begin_nested():
            insert_rows(session, Item.__table__, ITEM_COLUMNS, rows)
    except IntegrityError as exc:
        others = select(Item.external_id).where(
            Item.project_id == target.project_id, Item.pool_id != target.pool_id
        )
        clashes = sorted(scalars_in(session, others, Item.external_id, [r[3] for r in rows]))
        raise InvalidPool(
            f"{len(clashes)} external ids of this upload already exist in this project (first: {clashes[:5]})"
        ) from exc


def finish_import(session: Session, pool_id: int, *, blob: str, n_items: int) -> Pool:
    """The last step of an import: the pool turns ready and its items become visible at once."""
    pool = get(session, pool_id)
    pool.blob = blob
    pool.n_items = n_items
    pool.n_labeled = session.execute(
        select(func.count()).where(Item.pool_id == pool_id, Item.label.is_not(None))
    ).scalar_one()
    pool.status = "ready"
    session.flush()
    return pool


def list_pools(
    session: Session, project_id: int, *, limit: int | None = None, offset: int = 0
) -> Sequence[Pool]:
    query = select(Pool).where(Pool.project_id == project_id).order_by(Pool.id).limit(limit).offset(offset)
    return session.execute(query).scalars().all()


def list_items(
    session: Session,
    project_id: int,
    *,
    domain: str | None,
    split: str | None,
    labeled: bool | None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[Item]]:
    query = select(Item).where(visible_items(project_id))
    if domain is not None:
        query = query.where(Item.domain == domain)
    if split is not None:
        query = query.where(Item.split == split)
    if labeled is not None:
        query = query.where(Item.label.is_not(None) if labeled else Item.label.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = session.execute(query.order_by(Item.id).limit(limit).offset(offset)).scalars().all()
    return total, items
