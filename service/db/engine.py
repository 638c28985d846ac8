"""One engine per process, and the session scopes every request and task runs in.

The edge owns the transaction: ``session_scope()`` commits on success and rolls back on error;
domain code only flushes. On SQLite a writing transaction starts with ``BEGIN IMMEDIATE``, so the
budget check and its write are one serialized transaction; ``session_scope(readonly=True)`` starts
a deferred ``BEGIN`` on a second engine, so reads never queue behind the write lock (WAL). On
PostgreSQL the domain code locks the rows it must (``SELECT ... FOR UPDATE``). The connection pool
is sized from settings; a request that cannot get a connection in ``db_pool_timeout`` seconds, or
meets SQLite's lock past its busy timeout, is answered 503 (service/app.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[bool, Engine] = {}
_factories: dict[bool, sessionmaker[Session]] = {}


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    from service.settings import get_settings

    settings = get_settings()
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": settings.sqlite_busy_timeout, "check_same_thread": False},
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
        _make_sqlite_serializable(
            engine, settings.sqlite_busy_timeout, "BEGIN" if readonly else "BEGIN IMMEDIATE"
        )
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )


def _make_sqlite_serializable(engine: Engine, busy_timeout: float, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def _key(readonly: bool) -> bool:
    """Which engine: SQLite reads get their own (deferred BEGIN); PostgreSQL has one for both."""
    from service.settings import get_settings

    url = get_settings().database_url
    key = readonly and url.startswith("sqlite")
    if key not in _engines:
        engine = make_engine(url, readonly=key)
        _engines[key] = engine
        _factories[key] = sessionmaker(engine, expire_on_commit=False)
    return key


def get_engine(*, readonly: bool = False) -> Engine:
    return _engines[_key(readonly)]


def reset() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()


@contextmanager
def session_scope(*, readonly: bool = False) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error. ``readonly``: never takes
    SQLite's write lock (a write in it fails)."""
    session = _factories[_key(readonly)]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
