"""A commit that fails is never answered 200, and SQLite's write lock held elsewhere is a 503
for writes while reads go on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.app import create_app
from service.domain import labels
from service.settings import configure
from tests.service.conftest import Stack, configured
from tests.service.factories import ready_project


def test_a_failed_commit_of_labels_answers_503_and_stores_nothing(stack: Stack, monkeypatch: Any) -> None:
    pid, key, _ = ready_project(stack, budget=5)
    real_commit, real_submit = Session.commit, labels.submit

    def submit_marked(session: Session, *args: Any, **kw: Any) -> Any:
        session.info["fail_commit"] = True  # the transaction that holds the labels
        return real_submit(session, *args, **kw)

    def commit(self: Session) -> None:
        if self.info.pop("fail_commit", False):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit(self)

    monkeypatch.setattr(labels, "submit", submit_marked)
    monkeypatch.setattr(Session, "commit", commit)
    body = {"project_id": pid, "labels": [{"external_id": "target-train-000", "label": 1}]}
    res = stack.client.post("/labels", json=body, headers=key)
    assert res.status_code == 503 and res.headers["retry-after"], res.text
    project = stack.client.get(f"/projects/{pid}", headers=key).json()
    assert project["budget_spent"] == 0
    labeled = stack.client.get(
        f"/projects/{pid}/items", params={"labeled": True, "domain": "target", "split": "train"}, headers=key
    )
    assert labeled.json()["total"] == 0


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    db = tmp_path / "labelq.sqlite3"
    configured(tmp_path, f"sqlite:///{db}", sqlite_busy_timeout=0.3)
    with TestClient(create_app()) as client:
        yield client, db
    configure(None)


def test_a_held_sqlite_write_lock_is_503_for_writes_and_nothing_for_reads(
    sqlite_api: tuple[TestClient, Path],
) -> None:
    client, db = sqlite_api
    admin = {"Authorization": "Bearer test-admin-key"}
    body = {"name": "p", "classes": ["a", "b"], "input_shape": [2], "budget": 1}
    assert client.post("/projects", json=body, headers=admin).status_code == 201
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        res = client.post("/projects", json=body, headers=admin)
        assert res.status_code == 503 and res.json()["error"] == "unavailable", res.text
        assert res.headers["retry-after"]
        listed = client.get("/projects", headers=admin)
        assert listed.status_code == 200 and len(listed.json()) == 1  # reads take no write lock
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.post("/projects", json=body, headers=admin).status_code == 201
