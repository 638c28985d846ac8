"""Simulation mode: rules for starting a simulated active-learning job.

A simulation runs the round loop against an oracle, the hidden labels of target train items
(uploaded with ``hidden_labels=true``). It needs those items, a labeled target eval split to
measure accuracy on, and a ready start checkpoint. It never writes labels, rounds or budget:
its only traces are its job row (with the curves as the result) and the plot blob.

The simulated pool is exactly the hidden-label items, and every run starts from none of them
labeled (labels bought for real are not carried in): target train items without a hidden label
take no part, since the oracle could not answer for them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import queue
from service.db.tables import Item, Job
from service.domain import checkpoints, jobs
from service.domain.items import visible_items
from service.errors import Conflict, NotFound

KIND = "simulate"


def plot_key(job_id: int) -> str:
    return f"simulations/job-{job_id}.png"


def hidden_pool_size(session: Session, project_id: int) -> int:
    """Target train items with a hidden label: the pool a simulation labels from."""
    return session.execute(
        select(func.count()).where(
            visible_items(project_id),
            Item.domain == "target",
            Item.split == "train",
            Item.hidden_label.is_not(None),
        )
    ).scalar_one()


def eval_size(session: Session, project_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            visible_items(project_id),
            Item.domain == "target",
            Item.split == "eval",
            Item.label.is_not(None),
        )
    ).scalar_one()


def start(
    session: Session,
    project_id: int,
    *,
    runs: list[dict[str, Any]],
    schedule: list[int],
    seeds: list[int],
    checkpoint_id: int | None,
    config: dict[str, Any],
) -> Job:
    """Check the project can be simulated (409 with the reason otherwise) and queue the job."""
    pool = hidden_pool_size(session, project_id)
    if pool == 0:
        raise Conflict(
            "the project has no target train items with hidden labels: upload a target/train pool "
            "with 'y' and the form field hidden_labels=true first"
        )
    ckpt = checkpoints.resolve_ready(session, project_id, checkpoint_id)
    if eval_size(session, project_id) == 0:
        raise Conflict("the project has no labeled target eval split: upload one (domain=target, split=eval)")
    if sum(schedule) > pool:
        raise Conflict(
            f"the schedule buys {sum(schedule)} labels but only {pool} target items have hidden labels"
        )
    payload = {
        "runs": runs,
        "schedule": schedule,
        "seeds": seeds,
        "checkpoint_id": ckpt.id,
        "config": config,
    }
    return jobs.create(session, kind=KIND, task=queue.SIMULATE, project_id=project_id, payload=payload)


def get(session: Session, job_id: int) -> Job:
    job = jobs.get(session, job_id)
    if job.kind != KIND:
        raise NotFound(f"job {job_id} is not a simulation")
    return job
