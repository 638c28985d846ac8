"""GET /metrics: Prometheus' text format.

Two parts: this process's HTTP metrics (request latency histograms per route, counts by status;
prometheus-fastapi-instrumentator), and the service's state read from the database at scrape time
(service/domain/telemetry.py), so any API replica reports the whole fleet, workers included.
Needs the admin key (Prometheus: ``authorization: {credentials_file: ...}``) unless
``LABELQ_METRICS_PUBLIC=true``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator

from service.api.deps import bearer, get_principal
from service.api.strict import api_router
from service.db.engine import session_scope
from service.domain import telemetry
from service.settings import get_settings

router = api_router("monitoring")
log = logging.getLogger("labelq.metrics")
_WORK = {  # job kind -> (metric, help) of the work its succeeded jobs recorded
    "score_round": ("scored_items", "items forwarded by rounds' own scoring passes"),
    "score_shard": ("scored_items", "items forwarded by shard jobs"),
    "train": ("training_steps", "optimizer steps of training jobs"),
    "import_pool": ("imported_items", "items stored by pool imports"),
}


class StateCollector(Collector):
    """The database's view of jobs, rounds, labels, budgets and workers, read at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("labelq_database_up", "1 when the state below could be read from the database")
        try:
            with session_scope(readonly=True) as s:
                snap = telemetry.snapshot(s)
        except Exception:  # a scrape during a database outage still answers, with this at 0
            log.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        jobs = GaugeMetricFamily("labelq_jobs", "jobs by kind and state", labels=["kind", "status"])
        for (kind, status), n in sorted(snap.jobs.items()):
            jobs.add_metric([kind, status], n)
        depth = GaugeMetricFamily("labelq_queue_depth", "queued jobs per broker queue", labels=["queue"])
        for where, n in sorted(snap.queued.items()):
            depth.add_metric([where], n)
        units = {
            name: CounterMetricFamily(f"labelq_{name}", help_, labels=["kind"])
            for name, help_ in _WORK.values()
        }
        seconds = CounterMetricFamily("labelq_job_seconds", "run time of succeeded jobs", labels=["kind"])
        for kind, total in sorted(snap.units.items()):
            if kind in _WORK:
                units[_WORK[kind][0]].add_metric([kind], total)
            seconds.add_metric([kind], snap.seconds.get(kind, 0.0))
        rate = GaugeMetricFamily(
            "labelq_job_items_per_second", "throughput of running jobs (sum per kind)", labels=["kind"]
        )
        for kind, value in sorted(snap.items_per_s.items()):
            rate.add_metric([kind], value)
        rounds = GaugeMetricFamily(
            "labelq_rounds", "rounds by project and state", labels=["project", "status"]
        )
        for (project, status), n in sorted(snap.rounds.items()):
            rounds.add_metric([str(project), status], n)
        labels = CounterMetricFamily("labelq_labels", "annotations received", labels=["project"])
        for project, n in sorted(snap.labels.items()):
            labels.add_metric([str(project)], n)
        budget = GaugeMetricFamily(
            "labelq_budget_labels",
            "labels: total, spent, reserved (open rounds), free (buyable now)",
            labels=["project", "state"],
        )
        for project, (total, spent, reserved) in sorted(snap.budget.items()):
            for state, value in (
                ("total", total),
                ("spent", spent),
                ("reserved", reserved),
                ("free", total - spent - reserved),
            ):
                budget.add_metric([str(project), state], value)
        seen = GaugeMetricFamily(
            "labelq_worker_last_seen_timestamp_seconds",
            "a worker's last heartbeat",
            labels=["worker", "host"],
        )
        for name, (host, when) in sorted(snap.workers.items()):
            seen.add_metric([name, host], when)
        yield from (jobs, depth, *units.values(), seconds, rate, rounds, labels, budget, seen)


def install(app: FastAPI) -> None:
    """Instrument ``app``'s routes into a registry of its own (several apps may live in one test
    process) and serve it with the state collector at GET /metrics."""
    registry = CollectorRegistry()
    Instrumentator(excluded_handlers=["/metrics"], registry=registry).instrument(app)
    registry.register(StateCollector())
    app.state.metrics_registry = registry
    app.include_router(router)


def _scraper(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None) -> None:
    if not get_settings().metrics_public:
        get_principal(credentials).require_admin()


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request, _: Annotated[None, Depends(_scraper)]) -> Response:
    """Prometheus metrics (text exposition format): HTTP latency per route, jobs by kind and state,
    queue depth, rounds, labels and budget per project, work done by workers, worker heartbeats.
    Admin key, unless LABELQ_METRICS_PUBLIC=true."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
