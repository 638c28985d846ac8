"""GET /jobs/{id}: status, progress fraction, items/s, ETA, error, result; a project's jobs."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from service.api.deps import Caller, Db, ReadDb
from service.api.paging import Limit, Offset
from service.api.schemas import ErrorOut, JobOut, JobPage
from service.api.strict import PathId, api_router
from service.api.views import job_out
from service.db.tables import Job
from service.domain import jobs, projects
from service.domain.auth import Principal

router = api_router("jobs")


def _visible(db: Session, job_id: int, caller: Principal) -> Job:
    job = jobs.get(db, job_id)
    caller.check_owner(job.project_id)
    return job


@router.get("/jobs/{job_id}", response_model=JobOut, responses={404: {"model": ErrorOut}})
def get_job(job_id: PathId, db: ReadDb, caller: Caller) -> JobOut:
    return job_out(_visible(db, job_id, caller))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def cancel_job(job_id: PathId, db: Db, caller: Caller) -> JobOut:
    """Ask a job to stop; a running training stops at its next step and keeps no checkpoint."""
    _visible(db, job_id, caller)
    return job_out(jobs.request_cancel(db, job_id))


JobKind = Literal["import_pool", "validate_checkpoint", "score_round", "train", "simulate", "predict"]


@router.get("/projects/{project_id}/jobs", response_model=JobPage, responses={404: {"model": ErrorOut}})
def list_project_jobs(
    project_id: PathId,
    db: ReadDb,
    caller: Caller,
    kind: JobKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JobPage:
    """The project's jobs, newest first (``kind`` to filter: e.g. ``simulate`` for its
    simulations, ``train`` for its trainings); shard jobs are parts of their round's job."""
    caller.check_project(project_id)
    projects.get(db, project_id)
    total, page = jobs.of_project(db, project_id, kind=kind, limit=limit, offset=offset)
    return JobPage(total=total, limit=limit, offset=offset, items=[job_out(j) for j in page])
