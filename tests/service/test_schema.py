"""The tables and the migrations agree, on SQLite and PostgreSQL, and there is one head."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from migrations import alembic_config, upgrade
from service.db import tables  # noqa: F401
from service.db.metadata import Base
from tests.services import database


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_match_the_tables(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with database(kind, str(tmp_path)) as url:
        upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        engine.dispose()
    assert diff == []


def test_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1
