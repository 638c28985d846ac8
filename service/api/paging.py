"""Every list the API answers is a page: ``limit`` (capped) and ``offset`` query parameters; a
round's selections page by rank (``selections_limit``, ``after_rank``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from service.api.strict import MAX_ID

MAX_PAGE = 1000
MAX_SELECTIONS_PAGE = 10_000
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size (at most {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip")]
SelectionsLimit = Annotated[
    int, Query(ge=0, le=MAX_SELECTIONS_PAGE, description="selected items to include, best first")
]
AfterRank = Annotated[int | None, Query(ge=0, le=MAX_ID, description="selections after this rank")]
