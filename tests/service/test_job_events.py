"""Long-polls woken by the job's end (PostgreSQL NOTIFY, service/api/job_events.py): at once, all
of them, only when the end commits, and again after the listening connection is cut. The looks
are stretched to 30 s here, so a wait that returns early was woken, not polling."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import text

from service import queue
from service.api import job_events, waiting
from service.db.engine import session_scope
from service.domain import jobs
from service.settings import configure
from tests.concurrency import run_at_once
from tests.service.conftest import configured
from tests.services import database

WAIT_S = 20.0


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    tmp: Path = tmp_path_factory.mktemp("job-events")
    with database("postgresql", str(tmp)) as url:
        configured(tmp, url)
        yield
        job_events.reset()
        configure(None)


@pytest.fixture(autouse=True)
def slow_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIRST_POLL_S", "POLL_MAX_S", "NOTIFIED_POLL_MAX_S"):
        monkeypatch.setattr(waiting, name, 30.0)


def _job() -> int:
    """A queued job, sent (no worker listens on this test's queue: it stays queued)."""
    with session_scope() as s:
        job_id = jobs.create(s, kind="import_pool", task=queue.IMPORT_POOL, project_id=None, payload={}).id
    with session_scope(readonly=True) as s:
        assert not jobs.unsent(jobs.get(s, job_id)), "sent: a wait on it really waits"
    return job_id


def _end(job_id: int) -> None:
    with session_scope() as s:
        assert jobs.fail(s, job_id, None, "ended by the test", code="cancelled", status="cancelled")


def _waited(job_id: int, seconds: float = WAIT_S) -> float:
    start = time.monotonic()
    anyio.run(waiting.wait_for_job, job_id, seconds)
    return time.monotonic() - start


def _together(*calls: Callable[[], object]) -> None:
    assert run_at_once(lambda call: call(), [(c,) for c in calls]) == []


def _end_after(job_id: int, seconds: float = 1.0) -> Callable[[], None]:
    def end() -> None:
        time.sleep(seconds)  # the waits are in their first 30-second sleep by then
        _end(job_id)

    return end


def _listening() -> job_events.JobEvents:
    listener = job_events.events()
    assert listener is not None and listener.connected.wait(10), "the API process listens"
    return listener


def test_every_wait_on_a_job_wakes_when_it_ends(postgres: None) -> None:
    _listening()
    job_id, took = _job(), []
    _together(*[lambda: took.append(_waited(job_id))] * 8, _end_after(job_id))
    assert len(took) == 8 and max(took) < WAIT_S / 2, took  # woken, not timed out


def test_an_end_that_rolls_back_wakes_nobody(postgres: None) -> None:
    _listening()
    job_id = _job()

    def end_then_roll_back() -> None:
        time.sleep(0.5)
        with pytest.raises(RuntimeError), session_scope() as s:
            jobs.fail(s, job_id, None, "never committed", status="cancelled")
            raise RuntimeError("roll back")

    errors: list[BaseException] = []
    took: list[float] = []
    errors = run_at_once(
        lambda fn: fn(), [(lambda: took.append(_waited(job_id, 3.0)),), (end_then_roll_back,)]
    )
    assert errors == [] and took[0] >= 3.0  # slept to the deadline
    with session_scope(readonly=True) as s:
        assert jobs.get(s, job_id).status == "queued"


def test_the_listener_comes_back_after_its_connection_is_cut(postgres: None) -> None:
    listener = _listening()
    cut = listener.backend_pid
    with session_scope() as s:
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut})
    deadline = time.monotonic() + 20
    while not (listener.connected.is_set() and listener.backend_pid != cut):
        assert time.monotonic() < deadline, "the listener reconnects"
        time.sleep(0.1)
    job_id, took = _job(), []
    errors = run_at_once(
        lambda fn: fn(), [(lambda: took.append(_waited(job_id)),), (lambda: (time.sleep(1.0), _end(job_id)),)]
    )
    assert errors == [] and took[0] < WAIT_S / 2, took
