"""The worker's Celery app: the service's client app with the tasks registered on it."""

from __future__ import annotations

from celery import Celery

from service.queue import get_celery


def worker_app() -> Celery:
    import workers.tasks  # noqa: F401  (registers the shared tasks)

    app = get_celery()
    app.loader.import_default_modules()
    return app
