"""Label Studio's ML backend protocol for a project, at ``/ls/{project_id}``: Label Studio's ML
backend URL is ``http(s)://<labelq>/ls/<project id>``, with basic auth (any user, the project key as
the password) or ``Authorization: Bearer <project key>`` on its webhook. See
service/domain/label_studio.py for what each call does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials
from starlette.concurrency import run_in_threadpool

from service.api import predict, training, waiting
from service.api.deps import bearer
from service.api.schemas import ErrorOut, PredictIn, TrainIn
from service.api.strict import PathId, api_router
from service.db.engine import session_scope
from service.domain import checkpoints, jobs, labels, projects, rounds
from service.domain import label_studio as ls
from service.domain import label_studio_import as ls_import
from service.domain.auth import Principal, authenticate
from service.errors import BadInput, Unauthorized, from_code
from service.settings import get_settings

router = api_router("label-studio")
ANNOTATOR = "label-studio"
Payload = Annotated[dict[str, Any], Body()]
ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409)}


basic = HTTPBasic(
    auto_error=False, description="Label Studio's ML backend basic auth: any user, the project key"
)


def ls_caller(
    project_id: PathId,
    user: Annotated[HTTPBasicCredentials | None, Depends(basic)] = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal:
    """The project key, as basic auth's password (Label Studio's ML backend setting) or a bearer."""
    key = user.password if user is not None else (token.credentials if token is not None else None)
    if not key:
        raise Unauthorized("Label Studio must send the project key: basic auth password, or a bearer token")
    with session_scope(readonly=True) as s:
        caller = authenticate(s, key.strip(), get_settings().resolved_admin_key())
    caller.check_project(project_id)
    return caller


Caller = Annotated[Principal, Depends(ls_caller)]


@router.get("/ls/{project_id}/health", responses=ERRORS)
def ls_health(project_id: PathId, caller: Caller) -> dict[str, Any]:
    """Label Studio's health check of its ML backend."""
    return {"status": "UP", "model_class": "labelq"}


def _model_version(project_id: int) -> str:
    with session_scope(readonly=True) as s:
        ckpt = checkpoints.latest_ready(s, project_id)
        latest = rounds.latest_open_id(s, project_id)
    return f"labelq-v{ckpt.version if ckpt else 0}-r{latest or 0}"


@router.post("/ls/{project_id}/setup", responses=ERRORS)
def ls_setup(project_id: PathId, body: Payload, caller: Caller) -> dict[str, Any]:
    """Label Studio connects: its URL, token, project and labeling config (Choices named as the
    project's classes). ``model_version`` changes with each checkpoint and round, so Label Studio
    asks for new predictions then."""
    with session_scope() as s:
        ls.connect(s, projects.get(s, project_id), body)
    return {"model_version": _model_version(project_id)}


@router.post("/ls/{project_id}/predict", responses=ERRORS)
async def ls_predict(project_id: PathId, body: Payload, caller: Caller) -> dict[str, Any]:
    """Predictions for Label Studio's tasks (imported first when new): the predicted choice and a
    score Label Studio serves lowest first, labelq's open-round picks first in acquisition order."""
    given = body.get("tasks") if isinstance(body.get("tasks"), list) else []
    tasks = [t for t in given if isinstance(t, dict) and isinstance(t.get("id"), int) and t["id"] > 0]
    if not tasks:
        return {"results": []}
    await _import_new(project_id, tasks)
    found, ckpt_id = await run_in_threadpool(_known, project_id, [t["id"] for t in tasks])
    if ckpt_id is None or not found:
        return {"results": []}
    # the job of POST /checkpoints/{id}/predict
    ask = PredictIn(item_ids=list(found.values()), top_k=1, wait_seconds=60)
    job_id, total = await run_in_threadpool(predict.start, ckpt_id, ask, caller)
    await waiting.wait_for_job(job_id, ask.wait_seconds)
    answer = await run_in_threadpool(predict.answer, job_id, total, Response())
    if not answer.predictions:
        return {"results": []}
    return await run_in_threadpool(_results, project_id, tasks, found, answer.predictions)


async def _import_new(project_id: int, tasks: list[dict[str, Any]]) -> None:
    def new_tasks() -> tuple[Any, list[int], list[dict[str, Any]]]:
        with session_scope(readonly=True) as s:
            conn = ls.connection(s, project_id)
            s.expunge(conn)
            known = ls.items_of(s, project_id, [t["id"] for t in tasks])
            return (
                conn,
                list(projects.get(s, project_id).input_shape),
                [t for t in tasks if t["id"] not in known],
            )

    conn, shape, fresh = await run_in_threadpool(new_tasks)
    if not fresh:
        return
    x, ids = await run_in_threadpool(ls_import.fetch, conn, fresh, shape)
    job_id = await run_in_threadpool(ls_import.start_import, project_id, x, ids)
    await waiting.wait_for_job(job_id, 60)
    await run_in_threadpool(_raise_if_failed, job_id)


def _raise_if_failed(job_id: int) -> None:
    """A refused import is Label Studio's error to show (its reason), not an empty answer."""
    with session_scope(readonly=True) as s:
        job = jobs.get(s, job_id)
        if job.status == "failed":
            raise from_code(
                job.error_code, job.error or "the import of Label Studio's tasks failed", job_id=job_id
            )


def _known(project_id: int, task_ids: list[int]) -> tuple[dict[int, int], int | None]:
    with session_scope(readonly=True) as s:
        ckpt = checkpoints.latest_ready(s, project_id)
        return ls.items_of(s, project_id, task_ids), (ckpt.id if ckpt else None)


def _results(
    project_id: int, tasks: list[dict[str, Any]], found: dict[int, int], predicted: list[Any]
) -> dict[str, Any]:
    by_item = {p.item_id: p for p in predicted}
    version = _model_version(project_id)
    with session_scope(readonly=True) as s:
        conn = ls.connection(s, project_id)
        classes = list(projects.get(s, project_id).classes)
        ranks = ls.round_ranks(s, project_id, list(found.values()))
        out = []
        for task in tasks:
            item = found.get(task["id"])
            guess = by_item.get(item) if item is not None else None
            if guess is None:
                out.append({"result": [], "score": 1.0, "model_version": version})
                continue
            confidence = guess.top[0].probability
            out.append(
                {
                    "result": ls.result(conn, classes[guess.label]),
                    "score": ls.score(ranks.get(item), confidence),
                    "model_version": version,
                }
            )
    return {"results": out}


@router.post("/ls/{project_id}/webhook", status_code=200, responses=ERRORS)
def ls_webhook(project_id: PathId, body: Payload, caller: Caller) -> dict[str, Any]:
    """Label Studio's events: ANNOTATION_CREATED/UPDATED become labels (an update overwrites), a
    skipped task releases its item from open rounds, ANNOTATIONS_DELETED removes labels,
    START_TRAINING starts a training job. Other events are acknowledged and ignored."""
    action = str(body.get("action") or "")
    if action in ("ANNOTATION_CREATED", "ANNOTATION_UPDATED"):
        return _annotated(project_id, body, overwrite=action == "ANNOTATION_UPDATED")
    if action == "ANNOTATIONS_DELETED":
        found = body.get("annotations") if isinstance(body.get("annotations"), list) else []
        ids = [a["id"] for a in found if isinstance(a, dict) and isinstance(a.get("id"), int)]
        with session_scope() as s:
            items = ls.forget(s, project_id, ids)
            removed = labels.remove(s, project_id, items, annotator=ANNOTATOR)
        return {"action": action, "removed": removed}
    if action == "START_TRAINING":
        return {"action": action, "job_id": _train(project_id)}
    return {"action": action, "ignored": True}


@router.post("/ls/{project_id}/train", status_code=200, responses=ERRORS)
def ls_train(project_id: PathId, body: Payload, caller: Caller) -> dict[str, Any]:
    """Label Studio's older "train" call: starts a training job, as START_TRAINING does."""
    return {"job_id": _train(project_id)}


def _train(project_id: int) -> int:
    return training.start(project_id, TrainIn())


def _annotated(project_id: int, body: dict[str, Any], *, overwrite: bool) -> dict[str, Any]:
    annotation = body.get("annotation") if isinstance(body.get("annotation"), dict) else {}
    task = body.get("task") if isinstance(body.get("task"), dict) else {}
    task_id = task.get("id", annotation.get("task"))
    if not isinstance(task_id, int):
        raise BadInput("the webhook names no task")
    with session_scope() as s:
        conn = ls.connection(s, project_id)
        item = ls.items_of(s, project_id, [task_id]).get(task_id)
        if item is None:
            return {"ignored": f"task {task_id} is not imported yet (it is, at its first prediction)"}
        if annotation.get("was_cancelled"):
            return {"released": rounds.release_items(s, project_id, [item])}
        choice = ls.chosen(conn, annotation)
        classes = list(projects.get(s, project_id).classes)
        if choice is None:
            return {"ignored": "the annotation chose nothing"}
        if choice not in classes:
            raise BadInput(f"choice {choice!r} is not a class of the project ({classes})")
        summary = labels.submit(
            s,
            project_id,
            [labels.LabelIn(classes.index(choice), item_id=item)],
            round_id=None,
            annotator=ANNOTATOR,
            overwrite=overwrite,
        )
        if isinstance(annotation.get("id"), int):
            ls.remember(s, project_id, annotation["id"], item)
        return {"accepted": summary.accepted, "overwritten": summary.overwritten}
