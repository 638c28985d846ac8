"""The sweep that keeps jobs moving when processes die or the broker is away.

Every worker and every ``labelq serve`` runs one (a daemon thread): it announces its worker (the
``workers`` table, read by ``/readyz``), reaps jobs whose lease expired (retry or fail, see
service/domain/jobs.py), and relays jobs that were committed but never sent. Sweeps on several
hosts are safe: reaping and relaying lock the rows they take (``SKIP LOCKED``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from service.db.engine import session_scope
from service.db.metadata import utcnow
from service.db.tables import Worker
from service.domain import collect, jobs
from service.settings import get_settings
from service.storage import get_store

log = logging.getLogger("labelq.sweeper")


def sweep_once() -> jobs.Reaped:
    """Reap expired leases, then send what is unsent. Returns what was reaped."""
    settings = get_settings()
    with session_scope() as s:
        reaped = jobs.reap(s, max_attempts=settings.job_max_attempts, lease_s=settings.job_lease_seconds)
    if reaped.retried or reaped.failed or reaped.cancelled:
        log.warning("lost workers: retried jobs %s, failed %s, cancelled %s", *reaped.__dict__.values())
    with session_scope() as s:
        sent = jobs.relay(s)
    if sent:
        log.info("relayed %s unsent jobs", sent)
    return reaped


def collect_once() -> collect.Collected:
    """Drop cached outputs of old checkpoints and orphaned uploads (service/domain/collect.py)."""
    settings = get_settings()
    with session_scope(readonly=True) as s:
        done = collect.collect(
            s, get_store(), keep=settings.keep_outputs, upload_age_s=settings.upload_max_age_seconds
        )
    if done.output_dirs or done.uploads:
        log.info(
            "collected %s output folders and %s orphaned uploads", len(done.output_dirs), len(done.uploads)
        )
    return done


def announce(name: str, queues: list[str]) -> None:
    """Record that worker ``name`` is alive now."""
    with session_scope() as s:
        row = s.get(Worker, name)
        if row is None:
            row = Worker(name=name, hostname=socket.gethostname(), pid=os.getpid(), queues=queues)
            s.add(row)
        row.last_seen = utcnow()


def workers_seen(within_s: float) -> list[Worker]:
    with session_scope(readonly=True) as s:
        since = utcnow() - timedelta(seconds=within_s)
        return list(s.execute(select(Worker).where(Worker.last_seen >= since)).scalars())


def worker_silence_s() -> float:
    """How long a worker may stay unseen before ``/readyz`` says so."""
    return max(3 * get_settings().sweep_interval_seconds, 15.0)


class Sweeper:
    """Runs ``sweep_once`` (and ``before``, e.g. an announce) every ``sweep_interval_seconds``."""

    def __init__(self, before: Callable[[], None] | None = None) -> None:
        self.before = before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="labelq-sweeper")

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        settings = get_settings()
        interval, last_collect = settings.sweep_interval_seconds, 0.0
        while True:
            try:
                if self.before is not None:
                    self.before()
                sweep_once()
                if time.monotonic() - last_collect >= settings.collect_interval_seconds:
                    last_collect = time.monotonic()
                    collect_once()
            except Exception as exc:  # the database may be away for a while; the next tick retries
                log.warning("sweep failed: %s: %s", type(exc).__name__, exc)
            if self._stop.wait(interval):
                return
