"""The Celery client and its configuration, shared by the API (which only sends task names and
JSON payloads) and the workers (which register the tasks on the same app).

No result backend: job state lives in our own ``jobs`` table.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from service.settings import Settings, get_settings

# Task names: the only way the API reaches a worker.
IMPORT_POOL = "labelq.pools.import"
VALIDATE_CHECKPOINT = "labelq.checkpoints.validate"
SCORE_ROUND = "labelq.rounds.score"
TRAIN = "labelq.training.train"
SIMULATE = "labelq.simulate"

_app: Celery | None = None


def celery_config(settings: Settings) -> dict[str, Any]:
    transport: dict[str, Any] = {"visibility_timeout": 86400}
    if settings.embedded:
        folder = str(settings.broker_dir)
        transport = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "polling_interval": 0.2,
            "control_folder": str(settings.broker_dir / "control"),
        }
        settings.broker_dir.mkdir(parents=True, exist_ok=True)
    elif settings.broker_url.startswith("memory://"):
        transport = {"polling_interval": 0.02}  # tests: an in-process worker
    elif settings.broker_url.startswith(("redis://", "rediss://")):
        transport["global_keyprefix"] = f"{settings.queue}:"
    return {
        "broker_url": settings.broker_url,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": settings.queue,
        "worker_hijack_root_logger": False,
    }


def get_celery() -> Celery:
    global _app
    if _app is None:
        _app = Celery("labelq")
        _app.conf.update(celery_config(get_settings()))
    return _app


def reset() -> None:
    global _app
    _app = None


def send(task_name: str, payload: dict[str, Any]) -> None:
    """Send a task by name with one JSON payload. Call only after the transaction committed."""
    get_celery().send_task(task_name, args=[payload], queue=get_settings().queue)
