"""A pool row and its import job, made together from a stored upload (POST /pools, Label Studio)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service import queue
from service.db.tables import Job, Pool, Project
from service.domain import jobs
from service.domain.pools import service as pools


def register(
    session: Session,
    project: Project,
    *,
    domain: str,
    split: str,
    filename: str,
    upload: str | None = None,
    uri: str | None = None,
    parts: list[str] | None = None,
    hidden_labels: bool = False,
) -> tuple[Pool, Job]:
    """The pool (importing) and the job that imports the blob ``upload`` (or the file ``uri``, or
    the ``parts`` of a chunked upload, in order, ``upload`` being their folder) into it."""
    pool = pools.start(
        session, project, domain=domain, split=split, filename=filename, labels_hidden=hidden_labels
    )
    job = jobs.create(
        session,
        kind="import_pool",
        task=queue.IMPORT_POOL,
        project_id=project.id,
        payload={
            "pool_id": pool.id,
            "hidden_labels": hidden_labels,
            **({"uri": uri} if uri else {"upload": upload}),
            **({"parts": parts} if parts else {}),
        },
    )
    pool.job_id = job.id
    return pool, job
