"""A pool imports in committed batches: until its last batch its items are seen by no query; an
import whose worker died after some batches starts again from none; a batch of an attempt that
lost its lease never commits; external ids taken meanwhile refuse the import whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from service import queue
from service.db.engine import session_scope
from service.db.tables import Item, Job, Pool
from service.domain import jobs, projects, rounds
from service.domain.pools import service as pools
from service.storage import get_store
from tests.service.conftest import Stack
from tests.service.factories import npz_bytes, ready_project, tiny_arrays
from workers.tasks.pools import import_pool

N, BATCH = 10, 4


class WorkerDied(BaseException):
    """Escapes run_job the way a SIGKILL would: nothing recorded, the job left running."""


def _pending_import(pid: int, prefix: str, *, n: int = N) -> tuple[int, int, dict[str, Any]]:
    """A target/train pool row, its stored upload and its import job, not sent (the test runs it)."""
    arrays = tiny_arrays(n, 5, prefix)
    arrays.pop("y")
    key = get_store().write_bytes(f"uploads/test-{prefix}", npz_bytes(**arrays))
    with session_scope() as s:
        pool = pools.start(s, projects.get(s, pid), domain="target", split="train", filename="late.npz")
        job = jobs.create(
            s, kind="import_pool", task=queue.IMPORT_POOL, project_id=pid, payload={"pool_id": pool.id}
        )
        pool.job_id = job.id
        s.info.clear()  # drop the send: the test delivers the job itself
        payload = {"job_id": job.id, "pool_id": pool.id, "upload": key}
        return pool.id, job.id, payload


def _pause_between_batches(
    monkeypatch: pytest.MonkeyPatch, between: Callable[[int], None], *, first: bool = False
) -> None:
    """Run ``between(batches committed so far)`` after each committed batch (and, with ``first``,
    before the first one, after the import's checks), outside any transaction."""
    real = pools.item_batches

    def batches(*args: Any, **kwargs: Any) -> Iterator[list[dict[str, Any]]]:
        for i, rows in enumerate(real(*args, **kwargs)):
            if i or first:
                between(i)
            yield rows

    monkeypatch.setattr(pools, "item_batches", batches)


def _rows_of(pool_id: int) -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).where(Item.pool_id == pool_id)).scalar_one()


def _visible_target(stack: Stack, pid: int, key: dict[str, str]) -> int:
    res = stack.client.get(f"/projects/{pid}/items", headers=key, params={"domain": "target"})
    return res.json()["total"]


def _project_with_pending_import(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> tuple[int, dict[str, str], int, tuple[int, int, dict[str, Any]]]:
    """A ready project, how many target items it shows, and an import of N items in batches."""
    pid, key, _ = ready_project(stack, n_target=12)
    monkeypatch.setattr(stack.settings, "import_batch_rows", BATCH)
    return pid, key, _visible_target(stack, pid, key), _pending_import(pid, prefix)


def test_items_of_an_importing_pool_are_seen_by_no_query_until_the_last_batch(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, key, before, (pool_id, job_id, payload) = _project_with_pending_import(stack, monkeypatch, "late-")
    seen: list[dict[str, Any]] = []

    def look(done: int) -> None:
        with session_scope(readonly=True) as s:
            candidates = {row[0] for row in rounds.unlabeled_target(s, pid)}
            late = set(s.execute(select(Item.id).where(Item.pool_id == pool_id)).scalars())
        labeled = stack.client.post(
            "/labels",
            json={"project_id": pid, "labels": [{"external_id": "late-000", "label": 1}]},
            headers=key,
        )
        project = stack.client.get(f"/projects/{pid}", headers=key).json()
        seen.append(
            {
                "committed": len(late),
                "candidates": len(candidates & late),
                "visible": _visible_target(stack, pid, key),
                "label": labeled.status_code,
                "spent": project["budget_spent"],
            }
        )

    _pause_between_batches(monkeypatch, look)
    import_pool.run(payload)
    assert [s["committed"] for s in seen] == [BATCH, 2 * BATCH]  # batches really were committed
    assert all(s["candidates"] == 0 and s["visible"] == before for s in seen), seen
    assert all(s["label"] == 404 and s["spent"] == 0 for s in seen), seen
    with session_scope() as s:
        pool, job = s.get(Pool, pool_id), s.get(Job, job_id)
        assert pool is not None and job is not None
        assert (pool.status, pool.n_items, pool.n_labeled, job.status) == ("ready", N, 0, "succeeded")
    assert _visible_target(stack, pid, key) == before + N


def test_an_import_whose_worker_died_after_some_batches_starts_again_from_none(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, key, before, (pool_id, job_id, payload) = _project_with_pending_import(stack, monkeypatch, "again-")

    def die(done: int) -> None:
        raise WorkerDied()

    _pause_between_batches(monkeypatch, die)
    with pytest.raises(WorkerDied):
        import_pool.run(payload)
    assert _rows_of(pool_id) == BATCH  # the first batch is committed, invisible
    assert _visible_target(stack, pid, key) == before
    monkeypatch.undo()
    monkeypatch.setattr(stack.settings, "import_batch_rows", BATCH)
    with session_scope() as s:  # the lease runs out; the next delivery takes the job over
        job = s.get(Job, job_id)
        assert job is not None and job.status == "running"
        job.lease_until = job.started_at
    import_pool.run(payload)
    with session_scope() as s:
        job, pool = s.get(Job, job_id), s.get(Pool, pool_id)
        assert job is not None and pool is not None
        assert (job.status, job.attempts, pool.status, pool.n_items) == ("succeeded", 2, "ready", N)
        ext = s.execute(select(Item.external_id).where(Item.pool_id == pool_id)).scalars().all()
    assert sorted(ext) == [f"again-{i:03d}" for i in range(N)]  # each once
    assert _visible_target(stack, pid, key) == before + N
    import_pool.run(payload)  # a late duplicate delivery changes nothing
    assert _rows_of(pool_id) == N


def test_a_batch_of_an_attempt_that_lost_its_lease_never_commits(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, _, _ = ready_project(stack, n_target=12)
    pool_id, job_id, payload = _pending_import(pid, "fenced-")
    monkeypatch.setattr(stack.settings, "import_batch_rows", BATCH)

    def taken_over(done: int) -> None:  # this worker stalls; another delivery claims the job
        with session_scope() as s:
            job = s.get(Job, job_id)
            assert job is not None
            job.lease_until = job.started_at
        with session_scope() as s:
            assert jobs.claim(s, job_id, lease_s=60, max_attempts=3) == 2

    _pause_between_batches(monkeypatch, taken_over)
    import_pool.run(payload)  # attempt 1: its next batch finds the job no longer its own
    assert _rows_of(pool_id) == BATCH  # nothing after the takeover
    with session_scope() as s:
        job, pool = s.get(Job, job_id), s.get(Pool, pool_id)
        assert job is not None and pool is not None
        assert (job.status, job.attempts, pool.status) == ("running", 2, "importing")


@pytest.mark.parametrize("at", [0, 1], ids=["before-first-batch", "after-first-batch"])
def test_external_ids_taken_by_a_concurrent_import_refuse_the_import_whole(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """``at`` 0: the other import runs whole before this one's first batch (this one's first batch
    is refused); 1: the other one runs after this one's first batch (the other's first batch meets
    the importing items and is refused). Either way the loser keeps nothing."""
    pid, key, _ = ready_project(stack, n_target=12)
    before = _visible_target(stack, pid, key)
    this, other = _pending_import(pid, "same-"), _pending_import(pid, "same-")
    monkeypatch.setattr(stack.settings, "import_batch_rows", BATCH)
    ran: list[int] = []

    def other_import(done: int) -> None:
        if done == at and not ran:
            ran.append(done)
            import_pool.run(other[2])

    _pause_between_batches(monkeypatch, other_import, first=True)
    import_pool.run(this[2])
    assert ran == [at]
    with session_scope() as s:
        outcome = {}
        for name, (pool_id, job_id, _) in (("this", this), ("other", other)):
            job, pool = s.get(Job, job_id), s.get(Pool, pool_id)
            assert job is not None
            outcome[name] = (job.status, None if pool is None else pool.status, job.error or "")
    loser, winner = ("this", "other") if at == 0 else ("other", "this")
    assert outcome[winner][:2] == ("succeeded", "ready"), outcome
    assert outcome[loser][:2] == ("failed", None) and "already exist" in outcome[loser][2], outcome
    assert _visible_target(stack, pid, key) == before + N  # one copy of the ids, nothing partial
    assert _rows_of(this[0]) + _rows_of(other[0]) == N


def test_import_batches_carry_every_row_once(stack: Stack) -> None:
    target = pools.ImportTarget(project_id=1, pool_id=2, domain="target", split="train", labels_hidden=True)
    parsed = pools.ParsedPool(
        x=np.zeros((7, 1), np.float32), y=np.array([2, 0, 1, 2, 0, 1, 2]), ids=[f"i{i}" for i in range(7)]
    )
    batches = list(pools.item_batches(target, parsed, size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    rows = [dict(zip(pools.ITEM_COLUMNS, r, strict=True)) for b in batches for r in b]
    assert [r["row"] for r in rows] == list(range(7)) and [r["external_id"] for r in rows] == parsed.ids
    assert [r["hidden_label"] for r in rows] == [2, 0, 1, 2, 0, 1, 2]  # hidden: the truth, not a label
    assert all(r["label"] is None and r["label_source"] is None for r in rows)
    assert {(r["project_id"], r["pool_id"], r["domain"], r["split"]) for r in rows} == {
        (1, 2, "target", "train")
    }
