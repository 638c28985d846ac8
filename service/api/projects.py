"""Projects, their keys, items and metrics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from service.api.deps import Caller, Db, ReadDb
from service.api.paging import MAX_PAGE, Limit, Offset
from service.api.schemas import (
    ApiKeyOut,
    ItemOut,
    ItemPage,
    MetricsOut,
    MetricsRow,
    ProjectCreatedOut,
    ProjectIn,
    ProjectOut,
    RoundMetricsRow,
    StopAdviceOut,
)
from service.api.strict import MAX_ID, PathId, api_router
from service.api.views import project_out, project_outs
from service.domain import auth, metrics, projects, stopping
from service.domain.pools import service as pools
from service.settings import get_settings

router = api_router("projects")


@router.post("/projects", status_code=201, response_model=ProjectCreatedOut)
def create_project(body: ProjectIn, db: Db, caller: Caller) -> ProjectCreatedOut:
    """Create a project (admin key). The response carries the project's API key, shown once."""
    caller.require_admin()
    project = projects.create(db, **body.model_dump())
    key = auth.issue_project_key(db, project.id)
    return ProjectCreatedOut(**project_out(db, project).model_dump(), api_key=key)


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(db: ReadDb, caller: Caller, limit: Limit = 100, offset: Offset = 0) -> list[ProjectOut]:
    """Projects the key can see, by id: all for the admin key, its own for a project key."""
    page = projects.visible(db, None if caller.admin else caller.project_id, limit=limit, offset=offset)
    return project_outs(db, page)


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: PathId, db: ReadDb, caller: Caller) -> ProjectOut:
    caller.check_project(project_id)
    return project_out(db, projects.get(db, project_id))


@router.post("/projects/{project_id}/keys", status_code=201, response_model=ApiKeyOut)
def create_key(project_id: PathId, db: Db, caller: Caller) -> ApiKeyOut:
    """Issue another API key for the project (admin key)."""
    caller.require_admin()
    projects.get(db, project_id)
    return ApiKeyOut(project_id=project_id, api_key=auth.issue_project_key(db, project_id))


@router.get("/projects/{project_id}/items", response_model=ItemPage)
def list_items(
    project_id: PathId,
    db: ReadDb,
    caller: Caller,
    domain: Literal["source", "target"] | None = None,
    split: Literal["train", "eval"] | None = None,
    labeled: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> ItemPage:
    """Page through items, filtered by domain, split and whether they carry a label."""
    caller.check_project(project_id)
    projects.get(db, project_id)
    total, items = pools.list_items(
        db, project_id, domain=domain, split=split, labeled=labeled, limit=limit, offset=offset
    )
    return ItemPage(total=total, limit=limit, offset=offset, items=[ItemOut.model_validate(i) for i in items])


@router.get("/projects/{project_id}/metrics", response_model=MetricsOut)
def get_project_metrics(
    project_id: PathId, db: ReadDb, caller: Caller, limit: Limit = MAX_PAGE, offset: Offset = 0
) -> MetricsOut:
    """Per round: strategy, selection size and score range, labels received, and the eval
    accuracy of its checkpoint. Per checkpoint version: target labels it was trained with and its
    eval-split metrics (accuracy, per-class accuracy, free-energy gap) and, from its training job,
    the label-free ones: ``stop_kappa`` (agreement with its parent on the project's stop set),
    ``atc_estimate`` and ``average_confidence`` (accuracy on the stop set estimated without labels).
    ``stopping``: whether predictions have stabilized, i.e. more labels are unlikely to help.
    ``limit``/``offset`` page both lists (rounds by number, checkpoints by version)."""
    caller.check_project(project_id)
    project = projects.get(db, project_id)
    settings = get_settings()
    advice = stopping.advice(
        metrics.stop_kappas(db, project_id, settings.stop_window), settings.stop_kappa, settings.stop_window
    )
    round_rows = [
        RoundMetricsRow(**r.__dict__) for r in metrics.rounds(db, project_id, limit=limit, offset=offset)
    ]
    ckpt_rows = [
        MetricsRow(
            checkpoint_id=c.id,
            version=c.version,
            objective=c.objective,
            labels_at_training=c.labels_at_training,
            metrics=c.metrics or {},
            created_at=c.created_at,
        )
        for c in metrics.checkpoints(db, project_id, limit=limit, offset=offset)
    ]
    return MetricsOut(
        project_id=project_id,
        budget=project.budget,
        budget_spent=project.budget_spent,
        rounds=len(round_rows),
        round_stats=round_rows,
        checkpoints=ckpt_rows,
        stopping=StopAdviceOut(**advice.__dict__),
    )
