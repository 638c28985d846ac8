"""A running service per test module and database kind (SQLite, PostgreSQL): migrations applied,
a real Celery worker thread consuming an in-memory broker, and a TestClient on the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from celery.contrib.testing.worker import start_worker
from fastapi.testclient import TestClient

from migrations import upgrade
from service.api import job_events
from service.app import create_app
from service.queue import DEFAULT, GPU, queue_name
from service.settings import Settings, configure
from tests.services import database
from workers import catalog
from workers.celery_app import worker_app

ADMIN = "test-admin-key"


@dataclass
class Stack:
    client: TestClient
    settings: Settings
    db_kind: str

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN}"}


def configured(tmp: Path, url: str, *, admin_key: str = ADMIN, **overrides: Any) -> Settings:
    """Settings for an in-process service on ``url`` (in-memory broker, a queue of its own),
    made current, with the database migrated and this process's catalog published in it (what
    a worker does when it starts: the in-process test worker does not)."""
    settings = Settings(
        data_dir=tmp,
        database_url=url,
        broker_url="memory://",
        admin_key=admin_key,
        queue=f"test-{uuid.uuid4().hex[:8]}",
        default_wait_seconds=30,
        **overrides,
    )
    configure(settings)
    upgrade(settings.database_url)
    catalog.publish("test-worker")
    return settings


def in_process_worker() -> Any:
    """A real Celery worker thread (solo pool) consuming both queues of the current settings."""
    return start_worker(
        worker_app(),
        pool="solo",
        perform_ping_check=False,
        queues=[queue_name(DEFAULT), queue_name(GPU)],
        shutdown_timeout=30,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    torch.set_num_threads(1)
    tmp: Path = tmp_path_factory.mktemp(f"stack-{request.param}")
    with database(request.param, str(tmp)) as url:
        settings = configured(tmp, url, max_wait_seconds=120)
        with in_process_worker(), TestClient(create_app()) as client:
            yield Stack(client, settings, request.param)
        job_events.reset()  # its database is dropped next
        configure(None)
