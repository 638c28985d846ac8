"""Settings: environment variables prefixed ``LABELQ_``, validated at start-up.

With nothing set, labelq runs the embedded default: SQLite and blobs under ``LABELQ_DATA_DIR``
(``./.labelq``), a filesystem broker in the same folder, and an admin key generated on first
start into ``<data_dir>/admin.key``. The full stack sets ``LABELQ_DATABASE_URL`` (PostgreSQL)
and ``LABELQ_BROKER_URL`` (Redis).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

_ALLOWED_DB_PREFIXES = ("sqlite", "postgresql")
MIN_ADMIN_KEY_CHARS = 24
_DEFAULT_KEYS = {"change-me-admin-key", "change-me", "admin", "changeme", "secret"}
# Hard time limit of each job kind (seconds), enforced by the worker's prefork pool.
DEFAULT_TIME_LIMITS = {
    "import_pool": 3600.0,
    "validate_checkpoint": 1800.0,
    "score_round": 6 * 3600.0,
    "score_shard": 6 * 3600.0,
    "train": 24 * 3600.0,
    "simulate": 24 * 3600.0,
    "predict": 3600.0,
}
_ALLOWED_BROKER_PREFIXES = ("filesystem://", "redis://", "rediss://", "amqp://", "memory://")


class FileVariables(PydanticBaseSettingsSource):
    """``LABELQ_<NAME>_FILE=/run/secrets/x``: the setting's value is that file's content (stripped),
    so secrets come from files (compose secrets, Kubernetes volumes), never from the environment.
    ``LABELQ_<NAME>`` itself wins when both are set."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        path = os.environ.get(f"LABELQ_{field_name.upper()}_FILE")
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text().strip(), field_name, False
        except OSError as exc:
            raise ValueError(f"LABELQ_{field_name.upper()}_FILE: cannot read {path}: {exc}") from None

    def __call__(self) -> dict[str, Any]:
        out = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                out[key] = value
        return out


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABELQ_", extra="ignore")
    _file_key: str | None = PrivateAttr(None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, FileVariables(settings_cls), dotenv_settings, file_secret_settings

    data_dir: Path = Field(Path(".labelq"), description="embedded default: database, blobs, broker")
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite file in data_dir")
    database_password: SecretStr | None = Field(
        None,
        description="the database password, put into database_url (e.g. from LABELQ_DATABASE_PASSWORD_FILE)",
    )
    broker_url: str = Field("", description="Celery broker; empty = filesystem broker in data_dir")
    storage_dir: Path | None = Field(None, description="blob folder; empty = data_dir/blobs")
    storage_url: str = Field(
        "", description="s3://bucket[/prefix]: blobs in object storage; empty = the local folder storage_dir"
    )
    s3_endpoint_url: str = Field("", description="S3-compatible endpoint (MinIO, Ceph, ...); empty = AWS")
    s3_access_key_id: SecretStr | None = Field(None, description="object storage key; empty = AWS' own chain")
    s3_secret_access_key: SecretStr | None = Field(None, description="object storage secret")
    storage_cache_dir: Path | None = Field(
        None, description="object storage: this host's read cache; empty = data_dir/blob-cache"
    )
    storage_cache_mb: int = Field(10240, ge=1, description="object storage: cap of this host's read cache")
    admin_key: SecretStr | None = Field(None, description="admin API key; empty = generated file")
    queue: str = Field("labelq", description="Celery queue name (and Redis key prefix)")
    max_upload_bytes: int = Field(512 * 1024 * 1024, gt=0, description="413 above this")
    max_pool_bytes: int = Field(
        64 * 1024**3,
        gt=0,
        description="a pool file sent in parts (POST /projects/{id}/uploads): 413 above this",
    )
    max_json_bytes: int = Field(
        32 * 1024 * 1024, gt=0, description="413 for a non-upload request body above this"
    )
    body_read_timeout_seconds: float = Field(
        60.0, gt=0, le=3600, description="408 when a request body stalls this long"
    )
    data_roots: list[str] = Field(
        default_factory=list,
        description="where pools may be registered from by URI (JSON list): folders for file:// URIs, "
        'and s3://bucket[/prefix] for s3:// ones, e.g. ["/data/pools", "s3://datasets/pools"]; '
        "empty = uploads only",
    )
    disabled_plugins: list[str] = Field(
        default_factory=list,
        description="plugins the workers must not load (JSON list of entry point or distribution names, "
        'e.g. ["labelq-plugin-example"]); what they registered leaves the published catalog',
    )
    max_archive_members: int = Field(200_000, gt=0)
    max_archive_bytes: int = Field(2 * 1024 * 1024 * 1024, gt=0, description="uncompressed")
    max_archive_member_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="one image in an archive, uncompressed"
    )
    scoring_shard_rows: int = Field(
        50_000,
        ge=256,
        le=100_000_000,
        description="worker: pool rows per shard of a round's forward pass (a multiple of 256 is used); "
        "shards not cached yet are scored in parallel by every worker that listens",
    )
    stop_kappa: float = Field(
        0.99,
        gt=0,
        le=1,
        description="stopping advice: predictions count as stable when Cohen's kappa between "
        "consecutive checkpoints on the stop set averages at least this over stop_window checkpoints",
    )
    stop_window: int = Field(3, ge=1, le=100, description="stopping advice: kappas averaged")
    stop_set_size: int = Field(
        2000, ge=10, le=1_000_000, description="worker: target items in a project's fixed stop set"
    )
    scoring_precision: Literal["float32", "bfloat16", "float16"] = Field(
        "float32",
        description="worker: precision of scoring's forward passes (autocast; bfloat16 also on CPU); "
        "float32 by default, since a lower precision can change picks",
    )
    import_batch_rows: int = Field(
        20_000, ge=1, le=1_000_000, description="worker: items per committed batch of a pool import"
    )
    log_format: Literal["json", "text"] = Field(
        "json",
        description="log lines of the API and the workers: one JSON object each (with request_id, "
        "job_id), or plain text",
    )
    metrics_public: bool = Field(
        False, description="GET /metrics without a key (default: the admin key, e.g. Prometheus' bearer)"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    worker_concurrency: int = Field(1, ge=1)
    max_network_params: int = Field(
        100_000_000, gt=0, description="worker: refuse networks with more parameters than this"
    )
    worker_max_memory_mb: int = Field(
        0, ge=0, description="worker: replace a pool child after a job leaves it above this (0 = never)"
    )
    device: str = Field("auto", description="worker device: auto, cpu, cuda, cuda:N")
    default_wait_seconds: float = Field(30.0, ge=0, le=600)
    db_pool_size: int = Field(10, ge=1, le=1000, description="database connections kept per process")
    db_max_overflow: int = Field(40, ge=0, le=1000, description="extra connections under load")
    db_pool_timeout: float = Field(5.0, gt=0, le=300, description="wait for a connection, then 503")
    sqlite_busy_timeout: float = Field(
        15.0, gt=0, le=600, description="wait for SQLite's write lock, then 503"
    )
    max_wait_seconds: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="cap on any wait_seconds; past it a request answers 202 + Retry-After",
    )
    job_lease_seconds: float = Field(
        60.0, gt=0, le=3600, description="a running job whose worker sent no heartbeat this long is retried"
    )
    job_max_attempts: int = Field(3, ge=1, le=100, description="deliveries of a job before it fails")
    sweep_interval_seconds: float = Field(
        10.0, gt=0, le=600, description="how often workers and the API reap lost jobs and resend unsent ones"
    )
    job_time_limits: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_TIME_LIMITS),
        description='hard time limit per job kind in seconds, JSON (e.g. {"train": 7200}); kinds not given '
        "keep their default; a job past its limit fails with time_limit",
    )
    keep_outputs: int = Field(
        2, ge=1, le=1000, description="cached forward passes kept per project: its latest N ready checkpoints"
    )
    upload_max_age_seconds: float = Field(
        86400.0, gt=0, description="uploads no job points to are collected after this long"
    )
    collect_interval_seconds: float = Field(3600.0, gt=0, description="how often the sweep collects storage")
    output_buffer_mb: int = Field(
        1024, ge=0, description="worker: memory kept to hold later forward passes' outputs; 0 = none"
    )

    @field_validator("database_url")
    @classmethod
    def _check_db(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        if value and not value.startswith(_ALLOWED_DB_PREFIXES):
            raise ValueError(f"LABELQ_DATABASE_URL must be sqlite or postgresql, got {value.split(':')[0]!r}")
        return value

    @field_validator("job_time_limits")
    @classmethod
    def _check_time_limits(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(DEFAULT_TIME_LIMITS))
        if unknown:
            raise ValueError(f"unknown job kinds {unknown}; known: {sorted(DEFAULT_TIME_LIMITS)}")
        if any(not 1 <= v <= 7 * 86400 for v in value.values()):
            raise ValueError("job time limits must be between 1 s and 7 days")
        return {**DEFAULT_TIME_LIMITS, **value}

    @field_validator("storage_url")
    @classmethod
    def _check_storage(cls, value: str) -> str:
        if value and not value.startswith("s3://"):
            raise ValueError(f"LABELQ_STORAGE_URL must be s3://bucket[/prefix], got {value.split(':')[0]!r}")
        return value

    @field_validator("broker_url")
    @classmethod
    def _check_broker(cls, value: str) -> str:
        if value and not value.startswith(_ALLOWED_BROKER_PREFIXES):
            raise ValueError(f"LABELQ_BROKER_URL scheme not supported: {value.split(':')[0]!r}")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'labelq.sqlite3'}"
        if self.database_password is not None:
            from sqlalchemy.engine import make_url

            url = make_url(self.database_url).set(password=self.database_password.get_secret_value())
            self.database_url = url.render_as_string(hide_password=False)
        if not self.broker_url:
            self.broker_url = "filesystem://"
        if self.storage_dir is None:
            self.storage_dir = self.data_dir / "blobs"
        if self.storage_cache_dir is None:
            self.storage_cache_dir = self.data_dir / "blob-cache"
        self._refuse_weak_admin_key()
        return self

    def _refuse_weak_admin_key(self) -> None:
        """Outside the embedded default (and the tests' in-memory broker) the admin key guards a
        shared service: a known default or a short key is refused at start-up."""
        if self.admin_key is None or self.embedded or self.broker_url.startswith("memory://"):
            return
        key = self.admin_key.get_secret_value()
        if key.lower() in _DEFAULT_KEYS or len(key) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(
                f"LABELQ_ADMIN_KEY must be a secret of at least {MIN_ADMIN_KEY_CHARS} characters and not a "
                "documented default (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )

    def s3_client(self) -> Any:
        """A boto3 client of the configured object store (LABELQ_S3_ENDPOINT_URL and keys)."""
        import boto3

        keys = dict(
            zip(("aws_access_key_id", "aws_secret_access_key"), self.s3_credentials() or (), strict=False)
        )
        return boto3.client("s3", endpoint_url=self.s3_endpoint_url or None, **keys)

    def s3_credentials(self) -> tuple[str, str] | None:
        """(key id, secret) when both are set; else None (boto3's own chain: AWS_* variables, ...)."""
        if self.s3_access_key_id is None or self.s3_secret_access_key is None:
            return None
        return self.s3_access_key_id.get_secret_value(), self.s3_secret_access_key.get_secret_value()

    @property
    def blob_dir(self) -> Path:
        assert self.storage_dir is not None
        return self.storage_dir

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

    @property
    def embedded(self) -> bool:
        return self.broker_url.startswith("filesystem://")

    def resolved_admin_key(self) -> str:
        """The admin key: from the environment, else read (once) or generated in data_dir/admin.key."""
        if self.admin_key is not None:
            return self.admin_key.get_secret_value()
        if self._file_key is None:
            self._file_key = self._read_or_make_key()
        return self._file_key

    def _read_or_make_key(self) -> str:
        path = self.data_dir / "admin.key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = "lq_admin_" + secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        return key


_current: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    global _current
    if _current is None:
        _current = Settings()
    return _current


def configure(settings: Settings | None) -> None:
    """Replace the process's settings (tests, CLI flags); resets engines and the broker client."""
    global _current
    _current = settings
    from service import queue as _queue
    from service import storage as _storage
    from service.db import engine as _engine

    _engine.reset()
    _queue.reset()
    _storage.reset()
