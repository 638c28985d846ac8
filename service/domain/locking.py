"""Row locks for rules that must see and write one consistent state (budgets, reservations)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import Project
from service.errors import NotFound


def lock_project(session: Session, project_id: int) -> Project:
    """The project row, locked until the transaction ends.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: the transaction already holds the database's
    write lock (``BEGIN IMMEDIATE``, see service/db/engine.py), which serializes it.
    """
    project = session.execute(
        select(Project).where(Project.id == project_id).with_for_update()
    ).scalar_one_or_none()
    if project is None:
        raise NotFound(f"project {project_id} not found")
    session.refresh(project)
    return project
