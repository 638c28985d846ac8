"""Many rows into one table, fast: PostgreSQL's ``COPY`` (one stream, no bind parameters), an
executemany elsewhere. Runs in the session's transaction; a constraint violation is SQLAlchemy's
``IntegrityError`` either way, so callers handle one exception."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    import psycopg

    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    try:
        with dbapi.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


def set_by_id(
    session: Session, table: Table, ids: Sequence[int], column: str, values: Sequence[Any], **fixed: Any
) -> None:
    """``UPDATE table SET column = values[i], **fixed WHERE id = ids[i]`` for every i: one
    statement over two arrays on PostgreSQL (``unnest``), an executemany elsewhere."""
    if not ids:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        stmt = (
            update(table).where(table.c.id == bindparam("_id")).values({column: bindparam("_value"), **fixed})
        )
        session.execute(stmt, [{"_id": i, "_value": v} for i, v in zip(ids, values, strict=True)])
        return
    kind = table.c[column].type.compile(dialect=conn.dialect)
    sets = ", ".join([f"{column} = d.v", *(f"{name} = :{name}" for name in fixed)])
    session.execute(
        text(
            f"UPDATE {table.name} SET {sets} FROM unnest(CAST(:ids AS integer[]), CAST(:vals AS {kind}[])) "
            f"AS d(id, v) WHERE {table.name}.id = d.id"
        ),
        {"ids": list(ids), "vals": list(values), **fixed},
    )


def refresh_statistics(session: Session, table: Table) -> None:
    """PostgreSQL: ``ANALYZE`` after a bulk load, so the planner sees the new rows before
    autovacuum gets to it (without it, a 10,000-label update after a 1M-item import scans the
    table: 3x slower). Elsewhere nothing."""
    if session.connection().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {table.name}"))
