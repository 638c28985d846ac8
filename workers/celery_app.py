"""The worker's Celery app: the service's client app with the tasks registered on it; its main
process publishes the catalog, announces itself and sweeps."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_ready, worker_shutdown

from service import logs
from service.queue import get_celery
from service.settings import get_settings
from service.sweeper import Sweeper, announce
from workers import catalog


def worker_app() -> Celery:
    import workers.tasks  # noqa: F401  (registers the shared tasks)

    app = get_celery()
    app.loader.import_default_modules()
    return app


_sweeper: Sweeper | None = None


@setup_logging.connect
def _logging(loglevel: Any = None, **_: Any) -> None:
    """Our log format (JSON lines with request_id and job_id) instead of Celery's own set-up."""
    logs.configure(get_settings().log_format, loglevel or "INFO")


@worker_ready.connect
def _start_sweeper(sender: Any = None, **_: Any) -> None:
    """The worker's main process announces itself and sweeps (pool children do not)."""
    global _sweeper
    name = str(getattr(sender, "hostname", None) or f"labelq-{os.getpid()}")
    queues = sorted(q.name for q in getattr(getattr(sender, "task_consumer", None), "queues", []) or [])

    published = False

    def before() -> None:  # the catalog first: a worker seen by /readyz has published it
        nonlocal published
        if not published:
            catalog.publish(name)
            published = True
        announce(name, queues)

    _sweeper = Sweeper(before).start()


@worker_shutdown.connect
def _stop_sweeper(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop()
