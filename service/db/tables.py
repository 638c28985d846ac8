"""Every table labelq keeps. Rules live in service/domain; this file only says what is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.metadata import Base, utcnow

Json = JSON


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_nonneg"),
        CheckConstraint("budget_spent >= 0 AND budget_spent <= budget", name="budget_ledger"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    classes: Mapped[list[str]] = mapped_column(Json)
    input_shape: Mapped[list[int]] = mapped_column(Json)
    budget: Mapped[int] = mapped_column(Integer)
    budget_spent: Mapped[int] = mapped_column(Integer, default=0)
    default_strategy: Mapped[str] = mapped_column(String(64))
    default_objective: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    # a part of another job (a shard of a round's scoring); cancelled with it
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # the outbox: the task to send and when it was sent (NULL = not yet; the relay sends it)
    task: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # a running job belongs to its worker until then; renewed by its heartbeat
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    items_per_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    eta_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)  # the last to claim it
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # the X-Request-ID of the request that made it (a worker's log lines of the job carry it)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # succeeded: the work done (items scored/imported, training steps) and the seconds it took
    units: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Pool(Base):
    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(16))
    split: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="importing")
    filename: Mapped[str] = mapped_column(String(255))
    n_items: Mapped[int] = mapped_column(Integer, default=0)
    n_labeled: Mapped[int] = mapped_column(Integer, default=0)
    blob: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the uploaded labels are kept only in items.hidden_label (simulation oracle), never as labels
    labels_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        Index("ix_items_project_domain_split", "project_id", "domain", "split"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(16))
    split: Mapped[str] = mapped_column(String(16))
    label: Mapped[int | None] = mapped_column(Integer, nullable=True)
    label_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    labeled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # ground truth known only to the simulation's oracle; never served, never used to train
    hidden_label: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Checkpoint(Base):
    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # given when ready
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="validating")
    architecture: Mapped[str] = mapped_column(String(64))
    arch_args: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    input_spec: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    origin: Mapped[str] = mapped_column(String(16), default="upload")
    blob: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    objective: Mapped[str | None] = mapped_column(String(64), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    labels_at_training: Mapped[int | None] = mapped_column(Integer, nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("project_id", "idempotency_key"),
        CheckConstraint("budget > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    checkpoint_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    strategy: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    budget: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    pool_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    # what an adaptive strategy (auto) decided here: the arm, its probability, why, the bandit's history
    choice: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RoundSelection(Base):
    __tablename__ = "round_selections"
    __table_args__ = (UniqueConstraint("round_id", "item_id"), UniqueConstraint("round_id", "rank"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[dict[str, float]] = mapped_column(Json, default=dict)
    # {"label": c, "top": [{"label": c, "probability": p}, ...]} of the round's checkpoint
    prediction: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class Annotation(Base):
    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), nullable=True)
    label: Mapped[int] = mapped_column(Integer)
    previous_label: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # new | same | overwrite
    annotator: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Worker(Base):
    """A worker process that announced itself; ``last_seen`` is renewed by its sweep."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    queues: Mapped[list[str]] = mapped_column(Json, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LsConnection(Base):
    """A project's Label Studio connection, from its ML backend ``/setup``: where Label Studio is,
    its token (to fetch task images), its project, and the labeling config's names."""

    __tablename__ = "ls_connections"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    ls_project: Mapped[int] = mapped_column(Integer)
    hostname: Mapped[str] = mapped_column(String(1000))
    token: Mapped[str] = mapped_column(Text)
    from_name: Mapped[str] = mapped_column(String(255))  # the Choices tag
    to_name: Mapped[str] = mapped_column(String(255))  # the Image tag it labels
    data_key: Mapped[str] = mapped_column(String(255))  # task.data[data_key] is the image's URL
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LsAnnotation(Base):
    """A Label Studio annotation that became a label (its deletion names only the annotation)."""

    __tablename__ = "ls_annotations"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    annotation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))


class CatalogEntry(Base):
    """A strategy, objective or network the workers can run, as the last worker that started
    published it (models/catalog.py: built-ins and plugins), with its parameters' JSON schema."""

    __tablename__ = "catalog_entries"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # strategy, objective, network
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    paper: Mapped[str] = mapped_column(Text, default="")
    params_schema: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # flags; a family's members
    plugin: Mapped[str | None] = mapped_column(String(255), nullable=True)  # "distribution version"
    worker: Mapped[str] = mapped_column(String(255))  # who published it, with its labelq version
    version: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChunkedUpload(Base):
    """A pool file sent in parts (POST /projects/{id}/uploads, then PATCH /uploads/{id} at the
    offset received so far, then POST /uploads/{id}/complete): each part a blob under
    ``uploads/chunked-<id>/``, assembled by the worker that imports it."""

    __tablename__ = "chunked_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)  # declared when it starts
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # the offset the next part starts at
    parts: Mapped[list[str]] = mapped_column(Json, default=list)  # blob keys, in order
    pool_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # once completed: its pool
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # and the job importing it
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
