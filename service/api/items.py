"""GET /items/{id}/image.png: an item of an image pool as a PNG (the dashboard's thumbnails)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from service.api.deps import Caller, ReadDb
from service.api.openapi import BINARY
from service.api.schemas import ErrorOut
from service.api.strict import PathId, api_router
from service.db.tables import Item, Pool, Project
from service.domain import thumbnails
from service.errors import Conflict, NotFound
from service.storage import get_store

router = api_router("items")


@router.get(
    "/items/{item_id}/image.png",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {"schema": BINARY}}, "description": "the item as a PNG"},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut, "description": "the project's items are not images"},
    },
)
def get_item_image(
    item_id: PathId,
    db: ReadDb,
    caller: Caller,
    size: Annotated[int, Query(ge=8, le=1024, description="longer side in pixels, about")] = 96,
) -> Response:
    """The item's input as a PNG, scaled to 0-255 per image: items of pools whose project's
    ``input_shape`` is an image ([H, W] or [C, H, W] with C 1 or 3)."""
    item = db.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    caller.check_project(item.project_id)
    pool, project = db.get(Pool, item.pool_id), db.get(Project, item.project_id)
    assert pool is not None and project is not None
    if pool.blob is None:
        raise Conflict(f"pool {pool.id} is still importing")
    data = thumbnails.png(get_store(), pool.blob, item.row, list(project.input_shape), size)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
