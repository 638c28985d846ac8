"""The demo runs against the same in-process service as tests/service (SQLite and PostgreSQL)."""

from tests.service.conftest import stack  # noqa: F401  (the fixture)
