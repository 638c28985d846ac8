"""Row -> response model conversions shared by several routers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.api.schemas import JobOut, ProjectOut, RoundOut, SelectionOut
from service.db.tables import Project, Round
from service.domain import rounds


def project_out(session: Session, project: Project) -> ProjectOut:
    left, reserved = rounds.budget_left(session, project)
    return ProjectOut.model_validate(
        {
            **{c: getattr(project, c) for c in ProjectOut.model_fields if hasattr(project, c)},
            "budget_left": project.budget - project.budget_spent,
            "budget_reserved": reserved,
        }
    )


def round_out(session: Session, rnd: Round) -> RoundOut:
    out = RoundOut.model_validate(rnd)
    out.selections = [
        SelectionOut(
            item_id=item.id,
            external_id=item.external_id,
            rank=sel.rank,
            score=sel.score,
            components=sel.components or {},
        )
        for sel, item in rounds.selections(session, rnd.id)
    ]
    return out


def job_out(job: object) -> JobOut:
    return JobOut.model_validate(job)
