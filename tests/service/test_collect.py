"""The storage collector: cached outputs of old checkpoints and orphaned uploads go, what a
project or a job still needs stays."""

from __future__ import annotations

import os
import time

from service.db.engine import session_scope
from service.domain import collect, jobs
from service.storage import get_store
from tests.service.conftest import Stack
from tests.service.factories import query, ready_project


def _train(stack: Stack, pid: int, key: dict[str, str]) -> int:
    body = {"objective": "ce", "epochs": 1, "batch_size": 8, "wait_seconds": 60}
    job = stack.client.post(f"/projects/{pid}/train", json=body, headers=key).json()["job"]
    assert job["status"] == "succeeded", job
    return int(job["result"]["checkpoint_id"])


def test_outputs_of_old_checkpoints_and_orphaned_uploads_are_collected(stack: Stack) -> None:
    store = get_store()
    pid, key, first = ready_project(stack, budget=10)
    assert query(stack, pid, key, 2).status_code == 201  # caches the first checkpoint's outputs
    _train(stack, pid, key)
    latest = _train(stack, pid, key)
    assert query(stack, pid, key, 2).status_code == 201  # and the latest one's
    cached = {p.name for p in store.path(collect.OUTPUTS).iterdir()}
    assert {f"checkpoint-{first}", f"checkpoint-{latest}"} <= cached
    old = time.time() - 7200
    for name in ("orphan", "in-use", "fresh"):
        store.write_bytes(f"{collect.UPLOADS}/{name}", b"x")
        if name != "fresh":
            os.utime(store.path(f"{collect.UPLOADS}/{name}"), (old, old))
    with session_scope() as s:  # a job that will still read its upload
        jobs.create(s, kind="import_pool", task="t", project_id=pid, payload={"upload": "uploads/in-use"})
        s.info.clear()
    with session_scope() as s:
        done = collect.collect(s, store, keep=1, upload_age_s=3600)
    assert f"outputs/checkpoint-{first}" in done.output_dirs
    assert not store.exists(f"outputs/checkpoint-{first}") and store.exists(f"outputs/checkpoint-{latest}")
    assert "uploads/orphan" in done.uploads and not store.exists("uploads/orphan")
    assert store.exists("uploads/in-use") and store.exists("uploads/fresh")
    # the collected checkpoint still scores: its outputs are computed again
    res = query(stack, pid, key, 1, checkpoint_id=first)
    assert res.status_code == 201 and res.json()["status"] == "ready", res.text
