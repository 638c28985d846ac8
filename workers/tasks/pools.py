"""labelq.pools.import: parse and validate an upload, then store its items; refused -> nothing kept."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from pydantic import BaseModel

from service import queue
from service.db.engine import session_scope
from service.domain import projects
from service.domain.pools import service as pools
from service.domain.pools.archives import ArchiveLimits
from service.domain.pools.parsing import parse_upload
from service.settings import get_settings
from service.storage import get_store
from workers.runtime import Progress, run_job


class ImportPool(BaseModel):
    job_id: int
    pool_id: int
    upload: str
    hidden_labels: bool = False


@shared_task(name=queue.IMPORT_POOL, **queue.limits(queue.IMPORT_POOL))
def import_pool(payload: dict[str, Any], **_: Any) -> None:
    p = ImportPool.model_validate(payload)
    store, settings = get_store(), get_settings()

    def work(progress: Progress) -> dict[str, Any]:
        with session_scope() as s:
            pool = pools.get(s, p.pool_id)
            project = projects.get(s, pool.project_id)
            filename, shape, classes = pool.filename, list(project.input_shape), list(project.classes)
        progress(0.05, message="parsing", force=True)
        parsed = parse_upload(
            store.path(p.upload),
            filename,
            input_shape=shape,
            classes=classes,
            limits=ArchiveLimits(
                settings.max_archive_members, settings.max_archive_bytes, settings.max_archive_member_bytes
            ),
            default_id_prefix=f"pool{p.pool_id}-",
        )
        progress(0.6, message=f"storing {len(parsed.ids)} items", force=True)
        blob = pools.write_array(store, p.pool_id, parsed)  # the array I/O, outside the transaction
        with session_scope() as s:
            pool = pools.import_parsed(
                s, pools.get(s, p.pool_id), parsed, blob=blob, hidden_labels=p.hidden_labels
            )
            result = {"pool_id": pool.id, "n_items": pool.n_items, "n_labeled": pool.n_labeled}
        store.delete(p.upload)
        return result

    run_job(p.job_id, work)  # refused: jobs.release drops the pool row and its blobs
