"""What GET /metrics reports of the service's state, read from the database at scrape time.

The database is what every API replica and worker shares, so one scrape of any API process sees
the whole fleet: jobs by kind and state, the queues' depth, rounds, labels and budget per project,
the work finished jobs did (workers record items and steps on the job row, jobs.units), the live
throughput of running jobs and the workers' heartbeats. Grouped aggregates only, no row lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import queue
from service.db.tables import Annotation, Job, Project, Round, Worker
from service.domain.rounds import reserved_budgets


@dataclass
class Snapshot:
    jobs: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> count
    queued: dict[str, int] = field(default_factory=dict)  # broker queue kind -> queued jobs
    units: dict[str, float] = field(default_factory=dict)  # kind -> work of its succeeded jobs
    seconds: dict[str, float] = field(default_factory=dict)  # kind -> their run time
    items_per_s: dict[str, float] = field(default_factory=dict)  # kind -> running jobs' throughput
    rounds: dict[tuple[int, str], int] = field(default_factory=dict)  # (project, status) -> count
    labels: dict[int, int] = field(default_factory=dict)  # project -> annotations received
    budget: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # project -> total, spent, reserved
    workers: dict[str, tuple[str, float]] = field(default_factory=dict)  # name -> hostname, last seen (epoch)


def snapshot(session: Session) -> Snapshot:
    out = Snapshot()
    for kind, status, n in session.execute(
        select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
    ):
        out.jobs[(kind, status)] = int(n)
    waiting = select(Job.task, func.count()).where(Job.status == "queued").group_by(Job.task)
    for task, n in session.execute(waiting):
        where = queue.ROUTES.get(task or "", queue.DEFAULT)
        out.queued[where] = out.queued.get(where, 0) + int(n)
    done = (
        select(Job.kind, func.sum(Job.units), func.sum(Job.seconds))
        .where(Job.status == "succeeded")
        .group_by(Job.kind)
    )
    for kind, units, seconds in session.execute(done):
        out.units[kind], out.seconds[kind] = float(units or 0.0), float(seconds or 0.0)
    live = select(Job.kind, func.sum(Job.items_per_s)).where(Job.status == "running").group_by(Job.kind)
    for kind, rate in session.execute(live):
        out.items_per_s[kind] = float(rate or 0.0)
    by_status = select(Round.project_id, Round.status, func.count()).group_by(Round.project_id, Round.status)
    for project_id, status, n in session.execute(by_status):
        out.rounds[(project_id, status)] = int(n)
    labels = select(Annotation.project_id, func.count()).group_by(Annotation.project_id)
    out.labels = {project_id: int(n) for project_id, n in session.execute(labels)}
    projects = session.execute(select(Project.id, Project.budget, Project.budget_spent)).all()
    reserved = reserved_budgets(session, [p.id for p in projects]) if projects else {}
    out.budget = {p.id: (p.budget, p.budget_spent, reserved.get(p.id, 0)) for p in projects}
    for name, hostname, seen in session.execute(select(Worker.name, Worker.hostname, Worker.last_seen)):
        out.workers[name] = (hostname, seen.replace(tzinfo=UTC).timestamp())
    return out
