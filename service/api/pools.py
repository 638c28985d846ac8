"""Pool uploads: tensors, tables or image archives (one request) or a registered URI -> import job."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import Form, Response, UploadFile

from service.api import waiting
from service.api.deps import Caller, ReadDb
from service.api.paging import Limit, Offset
from service.api.schemas import ErrorOut, PoolOut, PoolUploadOut
from service.api.strict import PathId, api_router, clean_text
from service.api.uploads import receive
from service.api.views import job_out
from service.db.engine import session_scope
from service.db.tables import Pool
from service.domain import jobs, projects
from service.domain.pools import imports, uris
from service.domain.pools import service as pools
from service.errors import BadInput, from_code
from service.settings import get_settings
from service.storage import get_store

router = api_router("pools")
ERRORS = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}}


@router.post(
    "/projects/{project_id}/pools",
    status_code=201,
    response_model=PoolUploadOut,
    responses={202: {"model": PoolUploadOut, "description": "import still running"}, **ERRORS},
)
async def upload_pool(
    project_id: PathId,
    caller: Caller,
    response: Response,
    domain: Annotated[Literal["source", "target"], Form()],
    file: UploadFile | None = None,
    uri: Annotated[
        str | None,
        Form(
            max_length=4096,
            description="instead of file: file:///path or s3://bucket/key under LABELQ_DATA_ROOTS, "
            "read by the worker (pools larger than one request)",
        ),
    ] = None,
    split: Annotated[Literal["train", "eval"], Form()] = "train",
    wait_seconds: Annotated[float | None, Form(ge=0, le=600)] = None,
    hidden_labels: Annotated[bool, Form()] = False,
) -> PoolUploadOut:
    """Upload a pool. Tensors: arrays ``x`` [N, *input_shape], optional ``y`` [N], optional ``ids``.
    Archives: class folders or ``manifest.csv`` (path,label[,id]). A refused upload answers 400 and
    stores nothing; a slow import answers 202 with the job to poll.

    ``hidden_labels=true`` (target/train pools with ``y`` only): the labels are kept as the hidden
    ground truth of simulation mode (``POST /projects/{id}/simulate``); the items stay unlabeled for
    rounds and training, and no endpoint serves the hidden labels. A slow import, or the broker
    down, answers 202 with ``Retry-After``: poll the job."""
    caller.check_project(project_id)
    pools.check_hidden_labels(domain, split, hidden_labels)  # 400 before reading the body
    if (file is None) == (uri is None):
        raise BadInput(
            "give exactly one of file (an upload) or uri (file:// or s3:// under LABELQ_DATA_ROOTS)"
        )
    if uri is not None:
        register = partial(_register_uri, project_id, clean_text(uri, "uri"), domain, split, hidden_labels)
        return await waiting.upload_then_wait(register, answer, wait_seconds, response)
    register = partial(_register, project_id, file, domain, split, hidden_labels)
    return await waiting.upload_then_wait(register, answer, wait_seconds, response)


def _register(
    project_id: int, file: UploadFile, domain: str, split: str, hidden_labels: bool
) -> tuple[int, int]:
    """Store the upload, then the pool row and its import job in one transaction."""
    store = get_store()
    with session_scope() as s:
        projects.get(s, project_id)  # 404 before reading the body into storage
    key, name, _, sha = receive(store, file)
    try:
        with session_scope() as s:
            pool, job = imports.register(
                s,
                projects.get(s, project_id),
                domain=domain,
                split=split,
                filename=name,
                upload=key,
                hidden_labels=hidden_labels,
            )
            pool.sha256 = sha
            pool_id, job_id = pool.id, job.id
    except BaseException:  # nothing was committed: the upload is nobody's
        store.delete(key)
        raise
    return pool_id, job_id


def _register_uri(project_id: int, uri: str, domain: str, split: str, hidden_labels: bool) -> tuple[int, int]:
    """The pool and its import job for a file the worker reads in place (checked here first)."""
    settings = get_settings()
    source = uris.resolve(uri, settings.data_roots)
    if source.path is None:
        uris.check_exists(source, settings.s3_client())
    with session_scope() as s:
        pool, job = imports.register(
            s,
            projects.get(s, project_id),
            domain=domain,
            split=split,
            filename=source.name,
            uri=source.uri,
            hidden_labels=hidden_labels,
        )
        return pool.id, job.id


def answer(pool_id: int, job_id: int) -> PoolUploadOut:
    with session_scope(readonly=True) as s:
        job = jobs.get(s, job_id)
        if job.status == "failed":
            raise from_code(job.error_code, job.error or "import failed", job_id=job_id)
        pool_row = s.get(Pool, pool_id)
        return PoolUploadOut(pool=PoolOut.model_validate(pool_row) if pool_row else None, job=job_out(job))


@router.get("/projects/{project_id}/pools", response_model=list[PoolOut])
def list_pools(
    project_id: PathId, db: ReadDb, caller: Caller, limit: Limit = 100, offset: Offset = 0
) -> list[PoolOut]:
    """The project's pools, by id."""
    caller.check_project(project_id)
    projects.get(db, project_id)
    return [PoolOut.model_validate(p) for p in pools.list_pools(db, project_id, limit=limit, offset=offset)]
