"""Request and response models. Every response is typed so a generated client is usable."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.api.strict import RowId

MAX_ITEM_VALUES = 2**24  # values per item (e.g. 3 x 2048 x 2048)
# The database stores naive UTC; answers say so (RFC 3339 with an offset, as "date-time" requires).
Timestamp = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RoundStatus = Literal["pending", "scoring", "ready", "closed", "failed", "cancelled"]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    error: str = Field(description="machine-readable code, e.g. budget_exhausted")
    detail: Any = Field(description="human-readable explanation")
    reference: str | None = Field(None, description="500s: the id to find in the server's log (or job-N)")


class ProjectIn(In):
    name: str = Field(min_length=1, max_length=200)
    classes: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=2, max_length=100_000
    )
    input_shape: list[Annotated[int, Field(ge=1, le=1_000_000)]] = Field(
        min_length=1, max_length=4, description="item shape, e.g. [1, 28, 28]"
    )
    budget: int = Field(ge=0, le=10_000_000, description="total labels that may be bought")
    default_strategy: str = "entropy"
    default_objective: str = "ce"

    @model_validator(mode="after")
    def _shape(self) -> ProjectIn:
        if math.prod(self.input_shape) > MAX_ITEM_VALUES:
            raise ValueError(f"an item may hold at most {MAX_ITEM_VALUES} values")
        return self


class ProjectOut(Out):
    id: int
    name: str
    classes: list[str]
    input_shape: list[int]
    budget: int
    budget_spent: int
    budget_left: int
    budget_reserved: int = 0
    default_strategy: str
    default_objective: str
    created_at: Timestamp


class ProjectCreatedOut(ProjectOut):
    api_key: str = Field(description="the project's API key; shown only once")


class ApiKeyOut(BaseModel):
    project_id: int
    api_key: str


class JobOut(Out):
    id: int
    project_id: int | None
    kind: str = Field(
        description="import_pool, validate_checkpoint, score_round, score_shard, train, simulate or predict"
    )
    parent_id: int | None = Field(None, description="score_shard: the round's scoring job it is a part of")
    worker: str | None = Field(None, description="the worker (host-pid) that last claimed it")
    status: JobStatus
    progress: float
    items_per_s: float | None
    eta_s: float | None
    message: str | None
    error: str | None
    error_code: str | None
    result: dict[str, Any] | None
    attempts: int = Field(description="deliveries so far (a lost worker's job is retried)")
    request_id: str | None = Field(
        None, description="the X-Request-ID of the request that made it (its worker's log lines carry it)"
    )
    sent_at: Timestamp | None = Field(description="when the task reached the broker; null = not yet")
    lease_until: Timestamp | None = Field(description="running: the worker's lease, renewed by its heartbeat")
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None


class JobPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[JobOut] = Field(description="newest first")


class PoolOut(Out):
    id: int
    project_id: int
    domain: Literal["source", "target"]
    split: Literal["train", "eval"]
    status: str
    filename: str
    n_items: int
    n_labeled: int
    labels_hidden: bool = Field(False, description="labels kept hidden for simulation mode")
    created_at: Timestamp


class PoolUploadOut(BaseModel):
    pool: PoolOut | None = Field(description="the pool; null when the import was refused")
    job: JobOut


class ItemOut(Out):
    id: int
    external_id: str
    pool_id: int
    domain: str
    split: str
    label: int | None
    label_source: str | None
    labeled_at: Timestamp | None


class ItemPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ItemOut]


class CheckpointOut(Out):
    id: int
    project_id: int
    version: int | None = Field(
        description="1, 2, ... in the order checkpoints became ready; null until then"
    )
    parent_id: int | None
    status: Literal["validating", "ready", "rejected"]
    architecture: str
    arch_args: dict[str, Any]
    input_spec: dict[str, Any]
    origin: str
    sha256: str | None
    size_bytes: int | None
    error: str | None
    objective: str | None
    params: dict[str, Any]
    seed: int | None
    history: list[dict[str, Any]]
    metrics: dict[str, Any]
    labels_at_training: int | None
    job_id: int | None
    created_at: Timestamp


class CheckpointUploadOut(BaseModel):
    checkpoint: CheckpointOut
    job: JobOut


class QueryBatchIn(In):
    project_id: RowId
    budget: int = Field(gt=0, le=1_000_000, description="how many items to select")
    strategy: str | None = Field(None, description="default: the project's default strategy")
    params: dict[str, Any] = Field(default_factory=dict, description="strategy parameters (GET /strategies)")
    checkpoint_id: RowId | None = Field(None, description="default: the latest ready checkpoint")
    idempotency_key: str | None = Field(None, max_length=128)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    wait_seconds: float | None = Field(None, ge=0, le=600, description="block until ready, up to this long")


class ClassProbability(BaseModel):
    label: int = Field(description="class index")
    probability: float


class PredictionOut(BaseModel):
    label: int = Field(description="the predicted class (the most probable; ties to the lower index)")
    top: list[ClassProbability] = Field(description="the most probable classes, most probable first")


MAX_PREDICT = 10_000


class PredictIn(In):
    """Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of its items by row)."""

    item_ids: list[RowId] | None = Field(None, max_length=MAX_PREDICT)
    external_ids: list[Annotated[str, Field(max_length=255)]] | None = Field(None, max_length=MAX_PREDICT)
    pool_id: RowId | None = None
    offset: int = Field(0, ge=0, le=2**31 - 1, description="pool_id: items to skip, by row")
    limit: int = Field(1000, ge=1, le=MAX_PREDICT, description="pool_id: items in this page")
    top_k: int = Field(3, ge=1, le=1000, description="class probabilities per item")
    wait_seconds: float = Field(30, ge=0, le=3600)

    @model_validator(mode="after")
    def _one_selector(self) -> PredictIn:
        given = [x is not None for x in (self.item_ids, self.external_ids, self.pool_id)]
        if sum(given) != 1:
            raise ValueError("give exactly one of item_ids, external_ids or pool_id")
        return self


class ItemPrediction(BaseModel):
    item_id: int
    external_id: str
    label: int = Field(description="the predicted class (ties to the lower index)")
    top: list[ClassProbability] = Field(description="the top_k most probable classes, most probable first")


class PredictOut(BaseModel):
    job: JobOut
    total: int = Field(description="items asked for (pool_id: items in the pool)")
    predictions: list[ItemPrediction] | None = Field(
        None, description="in the order asked (pool_id: by row); null until the job succeeded"
    )


class SelectionOut(BaseModel):
    item_id: int
    external_id: str
    rank: int
    score: float
    components: dict[str, float]
    label: int | None = Field(None, description="the item's label, once it has one")
    prediction: PredictionOut | None = Field(
        None, description="the round's checkpoint's predicted class and top-3 probabilities"
    )


class RoundOut(Out):
    id: int
    project_id: int
    number: int
    status: RoundStatus
    strategy: str
    params: dict[str, Any]
    budget: int
    seed: int
    checkpoint_id: int
    checkpoint_sha256: str | None
    idempotency_key: str | None
    pool_size: int | None
    error: str | None
    job_id: int | None
    choice: dict[str, Any] | None = Field(
        None,
        description="strategy 'auto': the arm (strategy) it drew, its probability, every arm's "
        "probability, why, and the bandit's history (arm, probability, reward) it was given",
    )
    created_at: Timestamp
    closed_at: Timestamp | None
    n_selections: int = Field(0, description="items the round selected (selections is a page of them)")
    selections: list[SelectionOut] = Field(default_factory=list)


class LabelEntry(In):
    label: int = Field(description="class index, 0-based")
    item_id: RowId | None = None
    external_id: str | None = Field(None, max_length=255)

    @model_validator(mode="after")
    def _one_ref(self) -> LabelEntry:
        if (self.item_id is None) == (self.external_id is None):
            raise ValueError("give exactly one of item_id or external_id")
        return self


class LabelsIn(In):
    project_id: RowId
    round_id: RowId | None = None
    labels: list[LabelEntry] = Field(min_length=1, max_length=100_000)
    annotator: str | None = Field(None, max_length=128)
    overwrite: bool = Field(False, description="replace labels that differ instead of refusing (409)")


class LabelsOut(BaseModel):
    accepted: int = Field(description="items that received their first label")
    unchanged: int = Field(description="the same label again: a no-op")
    overwritten: int
    budget_spent: int
    budget_left: int


class TrainIn(In):
    objective: str | None = Field(None, description="default: the project's default objective")
    params: dict[str, Any] = Field(default_factory=dict)
    checkpoint_id: RowId | None = Field(
        None, description="start from this checkpoint (default: latest ready)"
    )
    architecture: str | None = Field(
        None,
        description="network for a from-scratch training; another one than the starting checkpoint's "
        "is a 409 unless from_scratch",
    )
    from_scratch: bool = Field(False, description="ignore existing checkpoints; needs architecture")
    arch_args: dict[str, Any] = Field(default_factory=dict)
    epochs: int = Field(3, ge=1, le=1000)
    batch_size: int = Field(64, ge=1, le=65536)
    lr: float = Field(1e-3, gt=0, le=10)
    optimizer: Literal["adam", "sgd", "adadelta"] = "adam"
    weight_decay: float = Field(0.0, ge=0)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    wait_seconds: float = Field(0, ge=0, le=3600)

    @model_validator(mode="after")
    def _check(self) -> TrainIn:
        if self.from_scratch and self.architecture is None:
            raise ValueError("from_scratch needs an architecture")
        return self  # names and parameters: checked by the handler against the published catalog


class TrainOut(BaseModel):
    job: JobOut


class CatalogOut(BaseModel):
    name: str
    description: str
    paper: str
    params_schema: dict[str, Any] | None = Field(
        description="JSON schema of its parameters (strategies, objectives); null for networks"
    )
    plugin: str | None = Field(
        description="the plugin distribution (and version) that registered it; null: built-in"
    )
    extra: dict[str, Any] = Field(
        description="strategies: needs_model, needs_previous, adaptive; objectives: unlabeled (reads "
        "unlabeled target items); networks: arguments; a family (torchvision/<name>): prefix and members"
    )


class MetricsRow(BaseModel):
    checkpoint_id: int
    version: int
    objective: str | None
    labels_at_training: int | None
    metrics: dict[str, Any]
    created_at: Timestamp


class RoundMetricsRow(BaseModel):
    round_id: int
    number: int
    status: str
    strategy: str
    budget: int
    selected: int
    labeled: int = Field(description="selected items that carry a label now")
    score_mean: float | None
    score_min: float | None
    score_max: float | None
    checkpoint_id: int
    checkpoint_version: int
    eval_accuracy: float | None = Field(description="eval accuracy of the checkpoint the round scored with")


class StopAdviceOut(BaseModel):
    """Stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's kappa between each
    retrained checkpoint's predictions and its parent's on the project's fixed stop set."""

    stable: bool = Field(description="the mean of the last `window` kappas reached `threshold`")
    kappas: list[float] = Field(description="the latest checkpoints' stop-set kappas, oldest first")
    mean_kappa: float | None
    threshold: float = Field(description="LABELQ_STOP_KAPPA")
    window: int = Field(description="LABELQ_STOP_WINDOW")
    message: str


class MetricsOut(BaseModel):
    project_id: int
    budget: int
    budget_spent: int
    rounds: int
    round_stats: list[RoundMetricsRow]
    checkpoints: list[MetricsRow]
    stopping: StopAdviceOut = Field(description="whether more labels are likely to help")
