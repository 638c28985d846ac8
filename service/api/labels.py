"""POST /labels: annotators' answers, idempotent, charged once against the budget."""

from __future__ import annotations

from service.api.deps import Caller, Db
from service.api.schemas import ErrorOut, LabelsIn, LabelsOut
from service.api.strict import api_router
from service.domain import labels

router = api_router("labels")


@router.post(
    "/labels",
    response_model=LabelsOut,
    responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def submit_labels(body: LabelsIn, db: Db, caller: Caller) -> LabelsOut:
    """Store labels by ``item_id`` or ``external_id``. The same label twice is a no-op; a different
    one is refused (409) unless ``overwrite``; labels beyond the budget are refused (409, saying
    what is left). Either the whole request is stored or none of it."""
    caller.check_project(body.project_id)
    entries = [
        labels.LabelIn(label=e.label, item_id=e.item_id, external_id=e.external_id) for e in body.labels
    ]
    summary = labels.submit(
        db,
        body.project_id,
        entries,
        round_id=body.round_id,
        annotator=body.annotator,
        overwrite=body.overwrite,
    )
    return LabelsOut(**summary.__dict__)
