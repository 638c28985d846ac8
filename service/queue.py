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

# Hard time limits (seconds), enforced by the prefork pool; the soft limit comes a minute earlier.
TIME_LIMITS = {
    IMPORT_POOL: 3600,
    VALIDATE_CHECKPOINT: 1800,
    SCORE_ROUND: 6 * 3600,
    TRAIN: 24 * 3600,
    SIMULATE: 24 * 3600,
}
# Routing: short jobs on the default queue, network work on the gpu queue, so a day of training
# never holds up an import. A worker listens on both unless told otherwise (labelq worker -Q).
DEFAULT, GPU = "default", "gpu"
ROUTES = {IMPORT_POOL: DEFAULT, VALIDATE_CHECKPOINT: DEFAULT, SCORE_ROUND: GPU, TRAIN: GPU, SIMULATE: GPU}
# Redis redelivers an unacked message after this; it must outlast the longest job, or a message
# would run twice while its first worker still holds it (lost workers are the reaper's business).
VISIBILITY_TIMEOUT_S = max(TIME_LIMITS.values()) + 3600


def limits(task_name: str) -> dict[str, int]:
    hard = TIME_LIMITS[task_name]
    return {"time_limit": hard, "soft_time_limit": hard - 60}


def queue_name(kind: str, settings: Settings | None = None) -> str:
    """The broker queue of a routing kind: ``<LABELQ_QUEUE>.default`` or ``<LABELQ_QUEUE>.gpu``."""
    return f"{(settings or get_settings()).queue}.{kind}"


_app: Celery | None = None


def celery_config(settings: Settings) -> dict[str, Any]:
    transport: dict[str, Any] = {"visibility_timeout": VISIBILITY_TIMEOUT_S}
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
        "task_default_queue": queue_name(DEFAULT, settings),
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        "broker_connection_timeout": 3,
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
    get_celery().send_task(task_name, args=[payload], queue=queue_name(ROUTES[task_name]))
