"""GET /jobs/{id}: status, progress fraction, items/s, ETA, error, result."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.api.deps import Caller, Db, ReadDb
from service.api.schemas import ErrorOut, JobOut
from service.api.strict import PathId, api_router
from service.api.views import job_out
from service.db.tables import Job
from service.domain import jobs
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
