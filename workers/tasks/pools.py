"""labelq.pools.import: parse and validate an upload, then store its items; refused -> nothing kept."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from celery import shared_task
from pydantic import BaseModel

from service import queue
from service.db.bulk import refresh_statistics
from service.db.engine import session_scope
from service.db.tables import Item
from service.domain import projects
from service.domain.pools import service as pools
from service.domain.pools import uris
from service.domain.pools.archives import ArchiveLimits
from service.domain.pools.beside import Folder, Objects
from service.domain.pools.parsing import parse_upload
from service.domain.pools.tables import Beside
from service.settings import get_settings
from service.storage import get_store
from workers.runtime import Progress, run_job


class ImportPool(BaseModel):
    job_id: int
    pool_id: int
    upload: str | None = None  # a blob the API stored (deleted once imported)
    uri: str | None = None  # or a file:// URI under LABELQ_DATA_ROOTS, read in place (kept)
    parts: list[str] | None = None  # or a chunked upload's parts, in order (``upload``: their folder)
    hidden_labels: bool = False


@shared_task(name=queue.IMPORT_POOL)
def import_pool(payload: dict[str, Any], **_: Any) -> None:
    p = ImportPool.model_validate(payload)
    store, settings = get_store(), get_settings()

    def work(progress: Progress) -> dict[str, Any]:
        with session_scope() as s:
            pool = pools.get(s, p.pool_id)
            if pool.status == "ready":  # an earlier attempt finished the import, then lost its worker
                return {"pool_id": pool.id, "n_items": pool.n_items, "n_labeled": pool.n_labeled}
            project = projects.get(s, pool.project_id)
            filename, shape, classes = pool.filename, list(project.input_shape), list(project.classes)
        progress(0.05, message="parsing", force=True)
        limits = ArchiveLimits(
            settings.max_archive_members, settings.max_archive_bytes, settings.max_archive_member_bytes
        )
        with _source(p, store, settings) as (path, beside):
            parsed = parse_upload(
                path,
                filename,
                beside=beside,
                input_shape=shape,
                classes=classes,
                limits=limits,
                default_id_prefix=f"pool{p.pool_id}-",
            )
        n = len(parsed.ids)
        progress(0.6, message=f"storing {n} items", force=True)
        blob = pools.write_array(store, p.pool_id, parsed)  # the array I/O, outside the transaction
        with session_scope() as s:
            progress.fence(s)
            target = pools.begin_import(s, pools.get(s, p.pool_id), parsed, hidden_labels=p.hidden_labels)
        done = 0
        for rows in pools.item_batches(target, parsed, size=settings.import_batch_rows):
            with session_scope() as s:  # one committed batch; the pool stays importing (invisible)
                progress.fence(s)
                pools.insert_items(s, target, rows)
            done += len(rows)
            progress(0.6 + 0.4 * done / n, message=f"stored {done} of {n} items")
        with session_scope() as s:
            progress.fence(s)
            pool = pools.finish_import(s, p.pool_id, blob=blob, n_items=n)
            result = {"pool_id": pool.id, "n_items": n, "n_labeled": pool.n_labeled, "units": n}
        with session_scope() as s:
            refresh_statistics(s, Item.__table__)
        if p.upload:
            store.delete(p.upload)
        return result

    run_job(p.job_id, work)  # refused: jobs.release drops the pool row and its blobs


@contextmanager
def _source(p: ImportPool, store: Any, settings: Any) -> Iterator[tuple[Path, Beside | None]]:
    """The file to parse: the stored upload, a chunked upload's parts put together, or the
    registered URI (checked against this
    worker's LABELQ_DATA_ROOTS; an object downloaded to a temporary file); and, for a URI, where a
    table of image paths finds its images (the file's folder, the object's key prefix)."""
    if p.parts:
        with tempfile.TemporaryDirectory(prefix="labelq-parts-") as folder:
            whole = Path(folder) / "pool"
            with open(whole, "wb") as out:
                for key in p.parts:  # streamed: never a whole part in memory
                    with open(store.path(key), "rb") as part:
                        shutil.copyfileobj(part, out, 1024 * 1024)
            yield whole, None
        return
    if not p.uri:
        yield store.path(p.upload or ""), None
        return
    source = uris.resolve(p.uri, settings.data_roots)
    client = settings.s3_client() if source.path is None else None
    with uris.local_copy(source, client) as path:
        if source.path is not None:
            yield path, Folder(source.path.parent)
        else:
            folder = str(PurePosixPath(source.key).parent)
            yield path, Objects(client, source.bucket, "" if folder == "." else folder)
