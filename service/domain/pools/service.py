"""Pool rules: start an upload, import parsed arrays as items, list items."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from service.db.metadata import utcnow
from service.db.tables import Item, Pool, Project
from service.domain.pools.parsing import ParsedPool
from service.errors import BadInput, InvalidPool, NotFound
from service.storage import BlobStore

DOMAINS = ("source", "target")
SPLITS = ("train", "eval")
_ID_CHUNK = 500


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
    """The pool's canonical float32 array as a blob (before, and outside, the import's transaction)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(parsed.x, dtype=np.float32), allow_pickle=False)
    return store.write_bytes(array_key(pool_id), buf.getvalue())


def import_parsed(
    session: Session, pool: Pool, parsed: ParsedPool, *, blob: str, hidden_labels: bool = False
) -> Pool:
    """One item per row of the array already stored at ``blob``; refuses ids already in the project.

    ``hidden_labels``: ``y`` goes to ``items.hidden_label`` only (the simulation's oracle) and the
    items stay unlabeled, so rounds and training never see it.
    """
    needs_labels = pool.domain == "source" or pool.split == "eval"
    if needs_labels and parsed.y is None:
        raise InvalidPool(f"a {pool.domain}/{pool.split} pool must carry labels ('y')")
    check_hidden_labels(pool.domain, pool.split, hidden_labels)
    if hidden_labels and parsed.y is None:
        raise InvalidPool("hidden_labels=true needs labels ('y') in the upload: they are the hidden truth")
    pool.labels_hidden = hidden_labels
    visible = None if hidden_labels else parsed.y
    _refuse_existing_ids(session, pool.project_id, parsed.ids)
    pool.blob = blob
    now = utcnow()
    rows = [
        {
            "project_id": pool.project_id,
            "pool_id": pool.id,
            "row": i,
            "external_id": ext,
            "domain": pool.domain,
            "split": pool.split,
            "label": None if visible is None else int(visible[i]),
            "label_source": None if visible is None else "upload",
            "labeled_at": None if visible is None else now,
            "hidden_label": int(parsed.y[i]) if hidden_labels and parsed.y is not None else None,
        }
        for i, ext in enumerate(parsed.ids)
    ]
    session.execute(insert(Item), rows)
    pool.n_items = len(rows)
    pool.n_labeled = 0 if visible is None else len(rows)
    pool.status = "ready"
    session.flush()
    return pool


def _refuse_existing_ids(session: Session, project_id: int, ids: list[str]) -> None:
    clashes: list[str] = []
    for start_at in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start_at : start_at + _ID_CHUNK]
        clashes += (
            session.execute(
                select(Item.external_id).where(Item.project_id == project_id, Item.external_id.in_(chunk))
            )
            .scalars()
            .all()
        )
    if clashes:
        raise InvalidPool(
            f"{len(clashes)} external ids already exist in this project (first: {sorted(clashes)[:5]})"
        )


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
    query = select(Item).where(Item.project_id == project_id)
    if domain is not None:
        query = query.where(Item.domain == domain)
    if split is not None:
        query = query.where(Item.split == split)
    if labeled is not None:
        query = query.where(Item.label.is_not(None) if labeled else Item.label.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = session.execute(query.order_by(Item.id).limit(limit).offset(offset)).scalars().all()
    return total, items
