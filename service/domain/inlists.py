"""``IN (...)`` lists of any length: PostgreSQL takes at most 65,535 bind parameters a statement,
and the documented maxima (100,000 labels a call, round budgets up to 1,000,000) exceed it. Lists
go in chunks; on PostgreSQL each chunk is one array parameter."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, Row, Select, any_, bindparam
from sqlalchemy.orm import Session

T = TypeVar("T")
IN_CHUNK = 10_000  # well under the bind-parameter limit


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def rows_in(session: Session, query: Select[Any], column: Any, values: Iterable[Any]) -> list[Row[Any]]:
    """``query.where(column IN values)``'s rows, run in chunks of distinct values."""
    out: list[Row[Any]] = []
    array = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(sorted(set(values))):
        out += session.execute(query.where(_member(column, chunk, array))).all()
    return out


def _member(column: Any, values: Sequence[Any], array: bool) -> Any:
    """``column IN (...)``; on PostgreSQL ``column = ANY(:array)``: one parameter, not thousands
    (the driver's cost of a statement grows with its placeholders)."""
    if array:
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def scalars_in(session: Session, query: Select[Any], column: Any, values: Iterable[Any]) -> list[Any]:
    """The first column of :func:`rows_in`."""
    return [row[0] for row in rows_in(session, query, column, values)]
