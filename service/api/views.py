"""Row -> response model conversions shared by several routers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from service.api.schemas import JobOut, ProjectOut, RoundOut, SelectionOut
from service.db.tables import Project, Round
from service.domain import rounds

DEFAULT_SELECTIONS = 1000


def project_out(session: Session, project: Project) -> ProjectOut:
    return project_outs(session, [project])[0]


def project_outs(session: Session, page: Sequence[Project]) -> list[ProjectOut]:
    """A page of projects with what open rounds reserve (grouped queries, not one per project)."""
    reserved = rounds.reserved_budgets(session, [p.id for p in page])
    return [
        ProjectOut.model_validate(
            {
                **{c: getattr(p, c) for c in ProjectOut.model_fields if hasattr(p, c)},
                "budget_left": p.budget - p.budget_spent,
                "budget_reserved": reserved.get(p.id, 0),
            }
        )
        for p in page
    ]


def round_out(
    session: Session, rnd: Round, *, limit: int = DEFAULT_SELECTIONS, after_rank: int | None = None
) -> RoundOut:
    """The round with a page of its selection (``n_selections`` says how many there are)."""
    out = RoundOut.model_validate(rnd)
    out.n_selections = rounds.n_selected(session, rnd.id)
    out.selections = [
        SelectionOut(
            item_id=item.id,
            external_id=item.external_id,
            rank=sel.rank,
            score=sel.score,
            components=sel.components or {},
            label=item.label,
            prediction=sel.prediction,
        )
        for sel, item in rounds.selections(session, rnd.id, limit=limit, after_rank=after_rank)
    ]
    return out


def job_out(job: object) -> JobOut:
    return JobOut.model_validate(job)
