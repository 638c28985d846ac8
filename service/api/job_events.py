"""Job ends as PostgreSQL notifications: ``jobs.finish``/``jobs.fail`` send ``NOTIFY labelq_jobs``
with the job's id, delivered when their transaction commits; one LISTEN connection per API
process wakes the long-polls waiting on that job at once, instead of at their next look. Without
PostgreSQL, or while the connection is down (it reconnects), long-polls keep looking on their own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from service.db.engine import get_engine
from service.domain.jobs import JOB_ENDS

log = logging.getLogger(__name__)


class JobEvents:
    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.connected = threading.Event()
        self.backend_pid: int | None = None  # the listening connection's (tests cut it)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._waiters: dict[int, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._thread = threading.Thread(target=self._run, daemon=True, name="labelq-job-events")
        self._thread.start()

    @contextmanager
    def watch(self, job_id: int) -> Iterator[asyncio.Event]:
        """An event set when job ``job_id`` ends (from the moment this is entered)."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(job_id, []).append(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                waiting = self._waiters.get(job_id, [])
                waiting.remove(entry)
                if not waiting:
                    self._waiters.pop(job_id, None)

    def stop(self) -> None:
        self._stop.set()

    def _wake(self, job_id: int) -> None:
        with self._lock:
            entries = list(self._waiters.get(job_id, []))
        for loop, event in entries:
            loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {JOB_ENDS}")
                    self.backend_pid = conn.info.backend_pid
                    self.connected.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.payload.isdigit():
                                self._wake(int(note.payload))
            except Exception as exc:  # the database went away: poll meanwhile, listen again soon
                if self.connected.is_set():
                    log.warning("job notifications lost (%s: %s); reconnecting", type(exc).__name__, exc)
                self.connected.clear()
                self._stop.wait(1.0)
        self.connected.clear()


_events: JobEvents | None = None
_events_lock = threading.Lock()


def events() -> JobEvents | None:
    """This process's listener on the configured database (PostgreSQL only), started on first use."""
    global _events
    url = get_engine().url
    if url.get_backend_name() != "postgresql":
        return None
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _events_lock:
        if _events is None or _events.conninfo != conninfo:
            if _events is not None:
                _events.stop()
            _events = JobEvents(conninfo)
        return _events


def reset() -> None:
    """Stop this process's listener (its database is going away, e.g. at the end of a test)."""
    global _events
    with _events_lock:
        if _events is not None:
            _events.stop()
        _events = None
