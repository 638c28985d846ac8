"""Simulation mode: compare strategies x objectives on hidden labels before paying annotators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Response
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from service import catalog
from service.api import waiting
from service.api.deps import Caller, Db, ReadDb
from service.api.openapi import BINARY
from service.api.schemas import ErrorOut, In, JobOut
from service.api.strict import PathId, RowId, api_router
from service.api.views import job_out
from service.catalog import validate_params
from service.db.engine import session_scope
from service.db.tables import Job
from service.domain import jobs, projects, simulations
from service.errors import Conflict, NotFound
from service.storage import get_store

router = api_router("simulation")

Budget = Annotated[int, Field(ge=1, le=1_000_000)]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]


class SimulationRunIn(In):
    strategy: str = Field(description="a strategy name (GET /strategies)")
    params: dict[str, Any] = Field(default_factory=dict, description="strategy parameters")
    objective: str | None = Field(None, description="training objective; default: the project's")
    objective_params: dict[str, Any] = Field(default_factory=dict, description="objective parameters")


class SimulateIn(In):
    runs: list[SimulationRunIn] = Field(min_length=1, max_length=16, description="strategy x objective")
    schedule: list[Budget] | None = Field(
        None, min_length=1, max_length=100, description="labels bought per round, e.g. [20, 20, 40]"
    )
    rounds: int | None = Field(
        None, ge=1, le=100, description="with per_round: schedule = rounds x per_round"
    )
    per_round: Budget | None = None
    seeds: list[Seed] = Field(default_factory=lambda: [0], min_length=1, max_length=20)
    epochs: int = Field(2, ge=1, le=1000, description="training epochs after each round")
    batch_size: int = Field(64, ge=1, le=65536)
    lr: float = Field(1e-3, gt=0, le=10)
    optimizer: Literal["adam", "sgd", "adadelta"] = "adam"
    weight_decay: float = Field(0.0, ge=0)
    checkpoint_id: RowId | None = Field(None, description="start network (default: the latest ready)")
    wait_seconds: float = Field(0, ge=0, le=3600, description="block until finished, up to this long")

    @model_validator(mode="after")
    def _schedule(self) -> SimulateIn:
        if self.schedule is not None:
            if self.rounds is not None or self.per_round is not None:
                raise ValueError("give either schedule or rounds + per_round, not both")
        elif self.rounds is None or self.per_round is None:
            raise ValueError("give a schedule, or rounds and per_round")
        else:
            self.schedule = [self.per_round] * self.rounds
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds must be distinct")
        return self


class CurveOut(BaseModel):
    labels: list[int] = Field(description="target labels bought after each round; round 0 = the start")
    mean: list[float] = Field(description="eval accuracy per round, mean over seeds")
    std: list[float] = Field(description="eval accuracy per round, population std over seeds")
    per_seed: list[list[float]] = Field(description="eval accuracy per round, one list per seed")


class StopOutcomeOut(BaseModel):
    stop_round: int | None = Field(description="the first round the stopping advice called stable")
    labels_at_stop: int | None
    labels_saved: int | None = Field(description="labels the later rounds bought")
    accuracy_given_up: float | None = Field(description="final accuracy minus the accuracy at the stop")


class LabelFreeOut(BaseModel):
    """Per seed and round, what was known without labels: the stop-set kappa with the previous
    round (None for round 0), ATC (calibrated on the source sample) and the average confidence as
    estimates of the eval accuracy, and how far they were from it."""

    kappa: list[list[float | None]]
    atc: list[list[float | None]]
    average_confidence: list[list[float | None]]
    atc_error: float | None = Field(description="mean |ATC - eval accuracy| over seeds and rounds")
    average_confidence_error: float | None = Field(description="mean |average confidence - eval accuracy|")
    stopping: list[StopOutcomeOut] = Field(
        description="per seed: following the stopping advice (LABELQ_STOP_KAPPA, LABELQ_STOP_WINDOW)"
    )


class SimulationRunOut(BaseModel):
    strategy: str
    params: dict[str, Any]
    objective: str
    objective_params: dict[str, Any]
    curve: CurveOut
    auc: float = Field(
        description="area under accuracy vs labels bought (trapezoid), divided by the label range; "
        "mean over seeds"
    )
    auc_std: float = Field(description="population std of the per-seed AUCs")
    per_seed_auc: list[float]
    final_accuracy: float = Field(description="eval accuracy after the last round, mean over seeds")
    final_accuracy_std: float
    class_counts: list[list[list[int]]] = Field(
        description="what each seed's run bought: per seed, per round, how many of the items "
        "revealed that round belong to each class (the project's class order); for checking the "
        "class balance of a strategy's picks"
    )
    label_free: LabelFreeOut | None = Field(None, description="stopping advice and label-free estimates")
    choices: list[list[dict[str, Any]]] = Field(
        default_factory=list,
        description="per seed and round, what an adaptive strategy (auto) decided: arm, probabilities, "
        "why (empty for the others)",
    )


class SimulationResultOut(BaseModel):
    runs: list[SimulationRunOut]
    plot: str = Field(description="blob key of the PNG plot")
    plot_url: str = Field(description="GET this for the PNG")
    schedule: list[int]
    seeds: list[int]
    checkpoint_id: int = Field(description="the start checkpoint")
    pool_size: int = Field(description="target train items with hidden labels")
    eval_items: int


class SimulationOut(BaseModel):
    job: JobOut
    result: SimulationResultOut | None = Field(description="the curves once the job succeeded")


def simulation_out(job: Job) -> SimulationOut:
    result = None
    if job.status == "succeeded" and job.result:
        result = SimulationResultOut.model_validate(
            {**job.result, "plot_url": f"/simulations/{job.id}/plot.png"}
        )
    return SimulationOut(job=job_out(job), result=result)


def _visible(db: Db, job_id: int, caller: Caller) -> Job:
    job = simulations.get(db, job_id)
    caller.check_owner(job.project_id)
    return job


@router.post(
    "/projects/{project_id}/simulate",
    status_code=202,
    response_model=SimulationOut,
    responses={
        200: {"model": SimulationOut, "description": "finished within wait_seconds"},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut, "description": "no hidden labels, eval split or ready checkpoint"},
        422: {"model": ErrorOut, "description": "unknown strategy/objective or bad parameters"},
    },
)
async def simulate_project(
    project_id: PathId, body: SimulateIn, caller: Caller, response: Response
) -> SimulationOut:
    """Simulated active learning on the hidden labels of the target train pool (uploaded with
    ``hidden_labels=true``): for every run (strategy x objective) and seed, start from
    ``checkpoint_id`` (default: the latest ready checkpoint) and repeat, once per ``schedule`` entry,
    a real round (score the still-unlabeled items, select), reveal the oracle's labels for the
    selected items only, retrain with the objective for ``epochs`` and measure eval accuracy.

    The job's result holds, per run, the learning curve (eval accuracy vs labels bought: mean,
    std and per seed; round 0 is the start network) and its normalized area under the curve; the
    PNG plot is at ``GET /simulations/{job_id}/plot.png``. Nothing is labeled, no round is opened
    and no budget is spent. 202 with the job to poll, or 200 when it finished within
    ``wait_seconds`` (capped by the server; then ``Retry-After``)."""
    caller.check_project(project_id)
    job_id = await run_in_threadpool(_start, project_id, body)
    await waiting.wait_for_job(job_id, body.wait_seconds)
    out = await run_in_threadpool(_simulation, job_id)
    if out.job.status in jobs.TERMINAL:
        response.status_code = 200
    else:
        waiting.accepted(response)
    return out


def _simulation(job_id: int) -> SimulationOut:
    with session_scope(readonly=True) as s:
        return simulation_out(jobs.get(s, job_id))


def _start(project_id: int, body: SimulateIn) -> int:
    assert body.schedule is not None
    with session_scope() as s:
        project = projects.get(s, project_id)
        runs, known = [], catalog.load(s)
        for run in body.runs:
            objective = run.objective or project.default_objective
            params = validate_params(known.get("objective", objective), run.objective_params)
            runs.append(
                {
                    "strategy": run.strategy,
                    "params": validate_params(known.get("strategy", run.strategy), run.params),
                    "objective": objective,
                    "objective_params": params,
                }
            )
        config = {k: getattr(body, k) for k in ("epochs", "batch_size", "lr", "optimizer", "weight_decay")}
        job = simulations.start(
            s,
            project_id,
            runs=runs,
            schedule=list(body.schedule),
            seeds=list(body.seeds),
            checkpoint_id=body.checkpoint_id,
            config=config,
        )
        return job.id


@router.get(
    "/simulations/{job_id}",
    response_model=SimulationOut,
    responses={404: {"model": ErrorOut}},
)
def get_simulation(job_id: PathId, db: ReadDb, caller: Caller) -> SimulationOut:
    """A simulation job with its progress and, once it succeeded, its typed curves."""
    return simulation_out(_visible(db, job_id, caller))


@router.get(
    "/simulations/{job_id}/plot.png",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": BINARY}},
            "description": "the learning curves, mean ± std over seeds",
        },
        404: {"model": ErrorOut},
        409: {"model": ErrorOut, "description": "the simulation has not succeeded"},
    },
)
def get_simulation_plot(job_id: PathId, db: ReadDb, caller: Caller) -> Response:
    """The PNG plot of a finished simulation: eval accuracy vs labels bought, one curve per run."""
    job = _visible(db, job_id, caller)
    if job.status != "succeeded":
        raise Conflict(f"simulation job {job_id} is {job.status}; the plot exists once it succeeded")
    key = (job.result or {}).get("plot")
    store = get_store()
    if not key or not store.exists(key):
        raise NotFound(f"the plot of simulation job {job_id} is gone")
    return Response(content=store.read_bytes(key), media_type="image/png")
