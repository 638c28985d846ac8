"""GET /metrics after real work (a round, labels), and the request id from a request to its job."""

from __future__ import annotations

import time

from prometheus_client.parser import text_string_to_metric_families

from service.sweeper import announce
from tests.service.conftest import Stack
from tests.service.factories import query, ready_project


def _scrape(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    res = stack.client.get("/metrics", headers=stack.admin)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(res.text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_with_a_round_and_its_labels(stack: Stack) -> None:
    before = _scrape(stack)
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    res = query(stack, pid, key, 4)
    assert res.status_code == 201, res.text
    picked = [s["external_id"] for s in res.json()["selections"]]
    labels = [{"external_id": e, "label": 0} for e in picked[:3]]
    res = stack.client.post("/labels", json={"project_id": pid, "labels": labels}, headers=key)
    assert res.status_code == 200, res.text
    after = _scrape(stack)
    project = str(pid)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert _value(after, "labelq_rounds", project=project, status="ready") == 1
    assert _value(after, "labelq_labels_total", project=project) == 3
    budget = {s: _value(after, "labelq_budget_labels", project=project, state=s) for s in ("total", "spent")}
    assert budget == {"total": 10, "spent": 3}
    assert (
        _value(after, "labelq_budget_labels", project=project, state="reserved") == 1
    )  # 4 picked, 3 labeled
    assert _value(after, "labelq_budget_labels", project=project, state="free") == 6
    # the round's scoring pass forwarded the 12 unlabeled target items (nothing was cached)
    assert moved("labelq_scored_items_total", kind="score_round") >= 12
    assert moved("labelq_jobs", kind="score_round", status="succeeded") == 1
    assert moved("labelq_imported_items_total", kind="import_pool") == 30 + 12 + 9  # ready_project's pools
    assert moved("labelq_job_seconds_total", kind="score_round") > 0
    route = {"handler": "/query-batch", "method": "POST"}
    assert moved("http_requests_total", **route, status="2xx") == 1
    assert moved("http_request_duration_seconds_count", **route) == 1
    assert _value(after, "labelq_queue_depth", queue="gpu") == 0


def test_worker_heartbeats_are_reported(stack: Stack) -> None:
    announce("metrics-test-worker", ["labelq.gpu"])  # what a worker's sweep does every interval
    samples = _scrape(stack)
    (seen,) = [
        v
        for (name, labels), v in samples.items()
        if name == "labelq_worker_last_seen_timestamp_seconds" and ("worker", "metrics-test-worker") in labels
    ]
    assert abs(seen - time.time()) < 60


def test_metrics_need_the_admin_key(stack: Stack) -> None:
    _, key, _ = ready_project(stack)
    assert stack.client.get("/metrics").status_code == 401
    res = stack.client.get("/metrics", headers=key)
    assert res.status_code == 403 and res.json()["error"] == "forbidden"


def test_a_request_id_reaches_the_jobs_it_makes(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    res = stack.client.post(
        "/query-batch",
        json={"project_id": pid, "budget": 2, "strategy": "entropy", "wait_seconds": 30},
        headers={**key, "X-Request-ID": "trace-round-7"},
    )
    assert res.status_code == 201 and res.headers["x-request-id"] == "trace-round-7"
    job = stack.client.get(f"/jobs/{res.json()['job_id']}", headers=key).json()
    assert job["request_id"] == "trace-round-7" and job["status"] == "succeeded"
    # no header, or one that is not a short token: the API makes an id and answers it
    for headers in ({}, {"X-Request-ID": "has spaces and; more"}):
        res = stack.client.get(f"/projects/{pid}", headers={**key, **headers})
        made = res.headers["x-request-id"]
        assert len(made) == 32 and made != headers.get("X-Request-ID")


def test_a_scrape_during_a_database_outage_answers_with_database_up_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings, configure, get_settings

    before = get_settings()
    configure(
        Settings(
            data_dir=tmp_path,
            database_url="postgresql://postgres@127.0.0.1:1/none",  # nothing listens there
            broker_url="memory://",
            admin_key="k" * 30,
            metrics_public=True,
            db_pool_timeout=1,
        )
    )
    try:
        client = TestClient(create_app())
        res = client.get("/metrics")
    finally:
        configure(before)
    assert res.status_code == 200
    samples = {s.name: s.value for f in text_string_to_metric_families(res.text) for s in f.samples}
    assert samples["labelq_database_up"] == 0 and "labelq_jobs" not in samples
