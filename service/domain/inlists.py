"""``IN (...)`` lists of any length: PostgreSQL takes at most 65,535 bind parameters a statement,
and the documented maxima (100,000 labels a call, round budgets up to 1,000,000) exceed it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")
IN_CHUNK = 10_000  # well under the bind-parameter limit


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def scalars_in(session: Session, query: Select[Any], column: Any, values: Iterable[Any]) -> list[Any]:
    """``query.where(column IN values)``'s scalars, run in chunks of distinct values."""
    out: list[Any] = []
    for chunk in chunks(sorted(set(values))):
        out += session.execute(query.where(column.in_(chunk))).scalars().all()
    return out
