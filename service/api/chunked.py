"""Pool files larger than one request, sent in parts (resumable): start, send each part at the
offset the upload stands at, complete into a pool. A lost connection resumes from GET's offset."""

from __future__ import annotations

import tempfile
from typing import Annotated, Literal

from fastapi import Header, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from service.api import waiting
from service.api.deps import Caller
from service.api.pools import answer
from service.api.schemas import ErrorOut, In, PoolUploadOut
from service.api.strict import PathId, api_router
from service.api.uploads import safe_filename
from service.db.engine import session_scope
from service.db.tables import ChunkedUpload
from service.domain import projects
from service.domain.pools import chunked
from service.domain.pools import service as pools
from service.errors import BadInput, PayloadTooLarge
from service.settings import get_settings
from service.storage import get_store

router = api_router("uploads")
ERRORS = {code: {"model": ErrorOut} for code in (400, 404, 409, 413)}
UploadId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="the upload's id")]
SPOOL_BYTES = 16 * 1024 * 1024  # a part is held in memory up to this, then on disk


class UploadStartIn(In):
    filename: str = Field(min_length=1, max_length=255, description="its type by suffix, as for uploads")
    size: int = Field(gt=0, description="the file's size in bytes, all parts together")


class UploadOut(BaseModel):
    id: str
    project_id: int
    filename: str
    size: int
    offset: int = Field(description="bytes received: where the next part starts")
    part_bytes: int = Field(description="the largest part one PATCH may carry (LABELQ_MAX_UPLOAD_BYTES)")
    pool_id: int | None = Field(description="once completed: the pool (null if its import was refused)")
    job_id: int | None = Field(description="once completed: the job importing it")


class UploadCompleteIn(In):
    domain: Literal["source", "target"]
    split: Literal["train", "eval"] = "train"
    hidden_labels: bool = Field(False, description="as for POST /projects/{id}/pools")
    wait_seconds: float | None = Field(None, ge=0, le=600)


def _out(row: ChunkedUpload) -> UploadOut:
    return UploadOut(
        id=row.id,
        project_id=row.project_id,
        filename=row.filename,
        size=row.size,
        offset=row.received,
        part_bytes=get_settings().max_upload_bytes,
        pool_id=row.pool_id,
        job_id=row.job_id,
    )


def _owned(caller: Caller, upload_id: str) -> ChunkedUpload:
    with session_scope(readonly=True) as s:
        row = chunked.get(s, upload_id)
    caller.check_project(row.project_id)
    return row


@router.post("/projects/{project_id}/uploads", status_code=201, response_model=UploadOut, responses=ERRORS)
def start_upload(project_id: PathId, body: UploadStartIn, caller: Caller) -> UploadOut:
    """Start a pool file that is sent in parts (for files above LABELQ_MAX_UPLOAD_BYTES, up to
    LABELQ_MAX_POOL_BYTES): then ``PATCH /uploads/{id}`` each part, then ``POST
    /uploads/{id}/complete``. Parts not completed are collected after LABELQ_UPLOAD_MAX_AGE_SECONDS."""
    caller.check_project(project_id)
    name = safe_filename(body.filename)
    with session_scope() as s:
        row = chunked.start(
            s,
            projects.get(s, project_id),
            filename=name,
            size=body.size,
            max_bytes=get_settings().max_pool_bytes,
        )
        return _out(row)


@router.get("/uploads/{upload_id}", response_model=UploadOut, responses=ERRORS)
def get_upload(upload_id: UploadId, caller: Caller) -> UploadOut:
    """Where an upload stands: resume a broken one by sending the part that starts at ``offset``."""
    return _out(_owned(caller, upload_id))


@router.patch(
    "/uploads/{upload_id}",
    response_model=UploadOut,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def send_part(
    upload_id: UploadId,
    request: Request,
    caller: Caller,
    upload_offset: Annotated[int, Header(ge=0, description="the byte the part starts at")],
) -> UploadOut:
    """One part (the raw bytes, ``application/octet-stream``), starting at ``Upload-Offset``, which
    must be where the upload stands (409 with ``offset`` otherwise: resume from there)."""
    await run_in_threadpool(_owned, caller, upload_id)
    limit, store = get_settings().max_upload_bytes, get_store()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"a part may have at most {limit} bytes (LABELQ_MAX_UPLOAD_BYTES)")
            spool.write(chunk)
        if size == 0:
            raise BadInput("the part is empty")
        spool.seek(0)
        key = chunked.part_key(upload_id, upload_offset)
        await run_in_threadpool(store.write_stream, key, spool, limit=limit)
    try:
        return await run_in_threadpool(_append, upload_id, upload_offset, key, size)
    except BaseException:
        store.delete(key)  # not recorded: nobody's
        raise


def _append(upload_id: str, offset: int, key: str, size: int) -> UploadOut:
    with session_scope() as s:
        return _out(chunked.append(s, upload_id, offset=offset, key=key, size=size))


@router.post(
    "/uploads/{upload_id}/complete",
    status_code=201,
    response_model=PoolUploadOut,
    responses={202: {"model": PoolUploadOut, "description": "import still running"}, **ERRORS},
)
async def complete_upload(
    upload_id: UploadId, body: UploadCompleteIn, caller: Caller, response: Response
) -> PoolUploadOut:
    """Every byte received: the pool and its import job, as ``POST /projects/{id}/pools`` answers
    (201, or 202 with ``Retry-After`` while importing). Completing again answers the same pool."""
    row = await run_in_threadpool(_owned, caller, upload_id)
    pools.check_hidden_labels(body.domain, body.split, body.hidden_labels)

    def register() -> tuple[int, int]:
        with session_scope() as s:
            project = projects.get(s, row.project_id)
            return chunked.complete(
                s, upload_id, project, domain=body.domain, split=body.split, hidden_labels=body.hidden_labels
            )

    return await waiting.upload_then_wait(register, answer, body.wait_seconds, response)


@router.delete("/uploads/{upload_id}", status_code=204, responses=ERRORS)
def abort_upload(upload_id: UploadId, caller: Caller) -> Response:
    """Drop an upload that is not complete, and its parts."""
    _owned(caller, upload_id)
    with session_scope() as s:
        chunked.abort(s, upload_id)
    return Response(status_code=204)
