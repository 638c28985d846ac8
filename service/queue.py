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
SCORE_SHARD = "labelq.rounds.shard"
TRAIN = "labelq.training.train"
SIMULATE = "labelq.simulate"
PREDICT = "labelq.checkpoints.predict"

# The job kind (jobs.kind) each task runs; its time limit is a setting (LABELQ_JOB_TIME_LIMITS).
KINDS = {
    IMPORT_POOL: "import_pool",
    VALIDATE_CHECKPOINT: "validate_checkpoint",
    SCORE_ROUND: "score_round",
    SCORE_SHARD: "score_shard",
    TRAIN: "train",
    SIMULATE: "simulate",
    PREDICT: "predict",
}
# Routing: short jobs on the default queue, network work on the gpu queue, so a day of training
# never holds up an import. A worker listens on both unless told otherwise (labelq worker -Q).
DEFAULT, GPU = "default", "gpu"
ROUTES = {
    IMPORT_POOL: DEFAULT,
    VALIDATE_CHECKPOINT: DEFAULT,
    SCORE_ROUND: GPU,
    SCORE_SHARD: GPU,
    TRAIN: GPU,
    SIMULATE: GPU,
    PREDICT: GPU,
}


def limits(hard: float) -> dict[str, float]:
    """A hard time limit and the soft one before it (the task records a clear failure at the soft
    one; the pool kills the child at the hard one)."""
    return {"time_limit": hard, "soft_time_limit": hard - min(60.0, hard / 10)}


def task_limits(settings: Settings) -> dict[str, dict[str, float]]:
    """Celery task annotations: each task's limits from the settings of the worker that runs it."""
    return {task: limits(settings.job_time_limits[kind]) for task, kind in KINDS.items()}


def visibility_timeout(settings: Settings) -> float:
    """Redis redelivers an unacked message after this; it must outlast the longest job, or a message
    would run twice while its first worker still holds it (lost workers are the reaper's business)."""
    return max(settings.job_time_limits.values()) + 3600


def queue_name(kind: str, settings: Settings | None = None) -> str:
    """The broker queue of a routing kind: ``<LABELQ_QUEUE>.default`` or ``<LABELQ_QUEUE>.gpu``."""
    return f"{(settings or get_settings()).queue}.{kind}"


_app: Celery | None = None


def celery_config(settings: Settings) -> dict[str, Any]:
    transport: dict[str, Any] = {"visibility_timeout": visibility_timeout(settings)}
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
        "task_annotations": task_limits(settings),
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
