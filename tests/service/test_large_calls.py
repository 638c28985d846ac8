"""The documented maxima hold past PostgreSQL's 65,535 bind parameters a statement: a round of
70,000 items and 70,000 labels in one call; one label more than the maximum is a 422. A 100,000-
item import (in batches) and 100,000 labels (in bulk) arrive whole: every row, every annotation."""

from __future__ import annotations

import time

import numpy as np

from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, upload, upload_checkpoint

N = 70_000


def test_a_70k_round_and_70k_labels_in_one_call(stack: Stack) -> None:
    project, key = make_project(stack, budget=N + 10)
    pid = project["id"]
    rng = np.random.default_rng(0)
    source = npz_bytes(x=rng.normal(size=(30, 4)).astype(np.float32), y=rng.integers(0, 3, 30))
    assert upload(stack, pid, key, source, domain="source").status_code == 201
    target = npz_bytes(x=rng.normal(size=(N + 5, 4)).astype(np.float32))
    assert upload(stack, pid, key, target, domain="target").status_code == 201
    assert upload_checkpoint(stack, pid, key).status_code == 201
    started = time.monotonic()
    body = {"project_id": pid, "budget": N, "strategy": "random", "wait_seconds": 120}
    rnd = stack.client.post("/query-batch", json=body, headers=key).json()
    assert rnd["status"] == "ready" and rnd["n_selections"] == N, rnd.get("error")
    items: list[int] = []
    while len(items) < N:
        params = {"selections_limit": 10_000, **({"after_rank": len(items) - 1} if items else {})}
        page = stack.client.get(f"/rounds/{rnd['id']}", params=params, headers=key).json()
        items += [s["item_id"] for s in page["selections"]]
    assert len(set(items)) == N
    labels = [{"item_id": i, "label": i % 3} for i in items]
    res = stack.client.post(
        "/labels", json={"project_id": pid, "round_id": rnd["id"], "labels": labels}, headers=key
    )
    assert res.status_code == 200, res.text[:500]
    assert res.json()["accepted"] == N and res.json()["budget_spent"] == N
    assert (
        stack.client.get(f"/rounds/{rnd['id']}", params={"selections_limit": 0}, headers=key).json()["status"]
        == "closed"
    )
    too_many = {"project_id": pid, "labels": [{"item_id": 1, "label": 0}] * 100_001}
    res = stack.client.post("/labels", json=too_many, headers=key)
    assert res.status_code == 422 and res.json()["error"] == "validation_error"
    print(f"{stack.db_kind}: 70k round + 70k labels in {time.monotonic() - started:.1f} s")


def test_a_100k_import_and_100k_labels_arrive_whole(stack: Stack) -> None:
    from sqlalchemy import select

    from service.db.engine import session_scope
    from service.db.tables import Annotation, Item

    n = 100_000
    project, key = make_project(stack, budget=n)
    pid = project["id"]
    ids = np.array([f"u{i:06d}" for i in range(n)])
    x = np.random.default_rng(1).normal(size=(n, 4)).astype(np.float32)
    res = upload(stack, pid, key, npz_bytes(x=x, ids=ids), domain="target")  # 5 batches of 20,000
    assert res.status_code == 201 and res.json()["pool"]["n_items"] == n, res.text[:300]
    pool_id = res.json()["pool"]["id"]
    with session_scope() as s:
        rows = s.execute(select(Item.row, Item.external_id).where(Item.pool_id == pool_id)).all()
    assert sorted(rows) == [(i, f"u{i:06d}") for i in range(n)]  # every row once, ids in place
    labels = [{"external_id": f"u{i:06d}", "label": (i * 7) % 3} for i in range(n)]
    res = stack.client.post(
        "/labels", json={"project_id": pid, "labels": labels, "annotator": "a"}, headers=key
    )
    assert res.status_code == 200 and res.json()["accepted"] == n, res.text[:300]
    with session_scope() as s:
        held = s.execute(select(Item.row, Item.label, Item.label_source).where(Item.pool_id == pool_id)).all()
        notes = s.execute(
            select(Item.row, Annotation.label, Annotation.kind, Annotation.annotator)
            .join(Item, Item.id == Annotation.item_id)
            .where(Annotation.project_id == pid)
        ).all()
    assert sorted(held) == [(i, (i * 7) % 3, "annotator") for i in range(n)]
    assert sorted(notes) == [(i, (i * 7) % 3, "new", "a") for i in range(n)]  # one annotation each
    pool = stack.client.get(f"/projects/{pid}/pools", headers=key).json()[0]
    assert pool["n_labeled"] == n
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_spent"] == n
