"""Projects: classes, input shape, label budget and defaults."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import catalog
from service.db.tables import Project
from service.errors import BadInput, NotFound


def create(
    session: Session,
    *,
    name: str,
    classes: list[str],
    input_shape: list[int],
    budget: int,
    default_strategy: str,
    default_objective: str,
) -> Project:
    if len(set(classes)) != len(classes):
        raise BadInput("class names must be unique")
    known = catalog.load(session)
    for kind, default in (("strategy", default_strategy), ("objective", default_objective)):
        if default not in known.of(kind):
            raise BadInput(f"unknown {kind} {default!r}; known: {sorted(known.of(kind))}")
    project = Project(
        name=name,
        classes=classes,
        input_shape=input_shape,
        budget=budget,
        budget_spent=0,
        default_strategy=default_strategy,
        default_objective=default_objective,
    )
    session.add(project)
    session.flush()
    return project


def get(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


def visible(
    session: Session, project_id: int | None, *, limit: int | None = None, offset: int = 0
) -> Sequence[Project]:
    query = select(Project).order_by(Project.id)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    return session.execute(query.limit(limit).offset(offset)).scalars().all()
