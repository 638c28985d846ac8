"""Checkpoints: upload (validated by a worker), inspect, download."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Form, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from service import catalog, queue
from service.api import strict, waiting
from service.api.deps import Caller, ReadDb
from service.api.openapi import BINARY
from service.api.paging import Limit, Offset
from service.api.schemas import CheckpointOut, CheckpointUploadOut, ErrorOut
from service.api.strict import PathId, api_router
from service.api.uploads import receive
from service.api.views import job_out
from service.catalog import input_spec as input_specs
from service.db.engine import session_scope
from service.domain import checkpoints, jobs, projects
from service.errors import BadInput, Conflict, Invalid, from_code
from service.storage import get_store

router = api_router("checkpoints")
ERRORS = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}}


def _json_object(raw: str | None, field: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = strict.loads(raw, field)
    except Invalid as exc:  # a form field: bad input, as every other form error here
        raise BadInput(str(exc.detail)) from exc
    if not isinstance(value, dict):
        raise BadInput(f"{field} must be a JSON object")
    return value


@router.post(
    "/projects/{project_id}/checkpoints",
    status_code=201,
    response_model=CheckpointUploadOut,
    responses={202: {"model": CheckpointUploadOut, "description": "still validating"}, **ERRORS},
)
async def upload_checkpoint(
    project_id: PathId,
    caller: Caller,
    response: Response,
    file: UploadFile,
    architecture: Annotated[str, Form(description="a registered network, see GET /networks")],
    arch_args: Annotated[str | None, Form(description="JSON object of the network's arguments")] = None,
    input_spec: Annotated[
        str | None,
        Form(
            description="JSON: the items' \"shape\" (the project's), and what the network expects of its "
            'input: "size" [H, W] (items are resized to it) and per-channel "mean" and "std" (items are '
            'normalised with them), e.g. {"size": [224, 224], "mean": [0.485, 0.456, 0.406], '
            '"std": [0.229, 0.224, 0.225]} for ImageNet weights'
        ),
    ] = None,
    wait_seconds: Annotated[float | None, Form(ge=0, le=600)] = None,
) -> CheckpointUploadOut:
    """Upload weights (safetensors, or a state dict read with ``weights_only=True``; pickled code is
    refused, never run). A worker loads them into the network and runs a forward pass on pool
    items; a rejected checkpoint answers 400 with the reason; still validating (or the broker
    down) answers 202 with ``Retry-After``."""
    caller.check_project(project_id)
    known = await run_in_threadpool(catalog.load)
    try:
        known.check_architecture(architecture)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    args, spec = _json_object(arch_args, "arch_args"), _json_object(input_spec, "input_spec")
    register = partial(_register, project_id, file, architecture, args, spec)
    return await waiting.upload_then_wait(register, _answer, wait_seconds, response)


def _register(
    project_id: int, file: UploadFile, architecture: str, args: dict[str, Any], spec: dict[str, Any]
) -> tuple[int, int]:
    """Store the upload, then the checkpoint row and its validation job in one transaction."""
    store = get_store()
    with session_scope() as s:
        project = projects.get(s, project_id)
        spec.setdefault("shape", project.input_shape)
        if not isinstance(spec["shape"], list) or list(spec["shape"]) != list(project.input_shape):
            raise BadInput(
                f"input_spec shape {spec['shape']} differs from the project's {project.input_shape}"
            )
        try:
            input_specs.check(spec, list(project.input_shape))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    key, _, size, _ = receive(store, file)
    try:
        with session_scope() as s:
            ckpt = checkpoints.create(
                s,
                project_id=project_id,
                architecture=architecture,
                arch_args=args,
                input_spec=spec,
                origin="upload",
                size_bytes=size,
            )
            job = jobs.create(
                s,
                kind="validate_checkpoint",
                task=queue.VALIDATE_CHECKPOINT,
                project_id=project_id,
                payload={"checkpoint_id": ckpt.id, "upload": key},
            )
            ckpt.job_id = job.id
            ckpt_id, job_id = ckpt.id, job.id
    except BaseException:  # nothing was committed: the upload is nobody's
        store.delete(key)
        raise
    return ckpt_id, job_id


def _answer(ckpt_id: int, job_id: int) -> CheckpointUploadOut:
    with session_scope(readonly=True) as s:
        job, ckpt = jobs.get(s, job_id), checkpoints.get(s, ckpt_id)
        if job.status == "failed":
            raise from_code(job.error_code, job.error or "checkpoint rejected", job_id=job_id)
        return CheckpointUploadOut(checkpoint=CheckpointOut.model_validate(ckpt), job=job_out(job))


@router.get("/projects/{project_id}/checkpoints", response_model=list[CheckpointOut])
def list_checkpoints(
    project_id: PathId, db: ReadDb, caller: Caller, limit: Limit = 100, offset: Offset = 0
) -> list[CheckpointOut]:
    """The project's checkpoints: ready ones by version, then those never ready."""
    caller.check_project(project_id)
    page = checkpoints.list_for(db, project_id, limit=limit, offset=offset)
    return [CheckpointOut.model_validate(c) for c in page]


@router.get("/checkpoints/{checkpoint_id}", response_model=CheckpointOut, responses=ERRORS)
def get_checkpoint(checkpoint_id: PathId, db: ReadDb, caller: Caller) -> CheckpointOut:
    ckpt = checkpoints.get(db, checkpoint_id)
    caller.check_project(ckpt.project_id)
    return CheckpointOut.model_validate(ckpt)


@router.get(
    "/checkpoints/{checkpoint_id}/weights",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {"schema": BINARY}}, "description": "safetensors"},
        409: {"model": ErrorOut, "description": "the checkpoint is not ready"},
        **ERRORS,
    },
)
def download_weights(checkpoint_id: PathId, db: ReadDb, caller: Caller) -> FileResponse:
    """The weights as safetensors (load with safetensors, build the network from ``architecture``)."""
    ckpt = checkpoints.get(db, checkpoint_id)
    caller.check_project(ckpt.project_id)
    if ckpt.status != "ready" or not ckpt.blob:
        raise Conflict(f"checkpoint {checkpoint_id} is {ckpt.status}; it has no weights to download")
    return FileResponse(
        get_store().path(ckpt.blob),
        media_type="application/octet-stream",
        filename=f"project{ckpt.project_id}-v{ckpt.version}.safetensors",
    )
