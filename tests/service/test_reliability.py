"""Leases, the reaper, the outbox relay, the budget ledger and the error envelope, on both
databases with a real Celery worker (tests/service/conftest.py)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from service import queue
from service.db.engine import session_scope
from service.db.metadata import utcnow
from service.db.tables import Job, Round, RoundSelection
from service.domain import jobs
from service.sweeper import sweep_once
from tests.concurrency import run_at_once
from tests.service.conftest import Stack
from tests.service.factories import query, ready_project


def _labels(stack: Stack, pid: int, key: dict[str, str], ext_ids: list[str], **extra: Any) -> Any:
    body = {"project_id": pid, "labels": [{"external_id": e, "label": 0} for e in ext_ids], **extra}
    return stack.client.post("/labels", json=body, headers=key)


def _wait_round(stack: Stack, round_id: int, key: dict[str, str], timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        rnd = stack.client.get(f"/rounds/{round_id}", headers=key).json()
        if rnd["status"] not in ("pending", "scoring") or time.monotonic() > deadline:
            return rnd
        time.sleep(0.1)


def _strand(job_id: int, *, attempts: int | None = None) -> None:
    """What a SIGKILLed worker leaves: the job running, its lease run out, its round scoring, no
    message in flight. ``attempts``: how many deliveries it has had (default: as recorded)."""
    with session_scope() as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.status, job.lease_until = "running", utcnow() - timedelta(seconds=1)
        if attempts is not None:
            job.attempts = attempts
    with session_scope() as s:
        for rnd in s.query(Round).filter(Round.job_id == job_id):
            rnd.status = "scoring"


def _ready_round(stack: Stack, budget: int = 10) -> tuple[int, dict[str, str], dict[str, Any]]:
    pid, key, _ = ready_project(stack, budget=budget, n_target=12)
    rnd = query(stack, pid, key, 3).json()
    assert rnd["status"] == "ready", rnd
    return pid, key, rnd


def test_concurrent_rounds_never_reserve_more_than_the_budget(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=4, n_target=12)
    answers: list[Any] = [None] * 3

    def ask(i: int) -> None:
        answers[i] = query(stack, pid, key, 4, wait_seconds=0)

    assert not run_at_once(ask, [(i,) for i in range(3)])
    codes = sorted(a.status_code for a in answers)
    assert codes[0] in (201, 202) and codes[1:] == [409, 409], [a.text for a in answers]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all(r["error"] == "budget_exhausted" and r["budget_left"] == 0 for r in refused)
    accepted = next(a.json() for a in answers if a.status_code != 409)
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 4
    assert len(_wait_round(stack, accepted["id"], key)["selections"]) == 4


def test_a_pending_round_reserves_its_whole_budget(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=6, n_target=12)
    with session_scope() as s:  # a round whose job is not sent yet stays pending
        from service.domain import rounds

        rnd, _ = rounds.request(
            s, pid, budget=5, strategy="entropy", params={}, checkpoint_id=None, idempotency_key=None, seed=0
        )
        s.info.clear()  # drop the send: the round stays pending
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 5
    res = query(stack, pid, key, 2)
    assert res.status_code == 409 and res.json()["budget_left"] == 1


def test_labels_outside_rounds_spend_only_unreserved_budget(stack: Stack) -> None:
    pid, key, rnd = _ready_round(stack, budget=5)  # 3 of 5 reserved by the ready round
    picked = [s["external_id"] for s in rnd["selections"]]
    free = [f"target-train-{i:03d}" for i in range(12) if f"target-train-{i:03d}" not in picked]
    res = _labels(stack, pid, key, free[:3])
    assert res.status_code == 409 and res.json()["budget_left"] == 2, res.text
    assert _labels(stack, pid, key, free[:2]).status_code == 200
    # the round's own items still fit: they spend the reservation, not what is left
    res = _labels(stack, pid, key, picked, round_id=rnd["id"])
    assert res.status_code == 200, res.text
    assert res.json()["budget_spent"] == 5 and res.json()["budget_left"] == 0


def test_a_redelivered_job_whose_lease_expired_runs_again(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    with session_scope() as s:
        from service.domain import rounds

        rnd, _ = rounds.request(
            s, pid, budget=3, strategy="entropy", params={}, checkpoint_id=None, idempotency_key=None, seed=0
        )
        round_id, job_id = rnd.id, rnd.job_id
        s.info.clear()
    assert job_id is not None
    _strand(job_id, attempts=1)
    from workers.tasks.rounds import score_round

    score_round.run({"job_id": job_id, "round_id": round_id})  # the redelivery after the kill
    with session_scope() as s:
        job = s.get(Job, job_id)
        assert job is not None and (job.status, job.attempts) == ("succeeded", 2)
    assert len(_wait_round(stack, round_id, key)["selections"]) == 3


def test_the_reaper_retries_a_lost_job_then_fails_it_and_releases_its_round(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    rnd = query(stack, pid, key, 3).json()
    # retried: a lost first attempt goes back to the queue, is relayed and runs
    second = query(stack, pid, key, 2, idempotency_key="retry-me")
    job_id = second.json()["job_id"]
    _wait_round(stack, second.json()["id"], key)
    _strand(job_id)  # as if its worker died mid-scoring
    with session_scope() as s:
        s.query(RoundSelection).filter(RoundSelection.round_id == second.json()["id"]).delete()
    reaped = sweep_once()
    assert job_id in reaped.retried
    with session_scope() as s:
        jobs.relay(s, grace_s=-1)
    again = _wait_round(stack, second.json()["id"], key)
    assert again["status"] == "ready" and len(again["selections"]) == 2
    # failed: at the attempt limit the job fails clearly and the round releases its items
    limit = stack.settings.job_max_attempts
    _strand(rnd["job_id"], attempts=limit)
    before = stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"]
    assert rnd["job_id"] in sweep_once().failed
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert job["status"] == "failed" and job["error_code"] == "worker_lost", job
    assert f"lost {limit} times" in job["error"]
    assert stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["status"] == "failed"
    after = stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"]
    assert before - after == 3


def test_cancelling_a_job_whose_worker_is_gone_cancels_it(stack: Stack) -> None:
    pid, key, rnd = _ready_round(stack)
    _strand(rnd["job_id"])
    res = stack.client.post(f"/jobs/{rnd['job_id']}/cancel", headers=key)
    assert res.status_code == 200 and res.json()["status"] == "cancelled", res.text
    assert stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["status"] == "failed"
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 0


def test_a_failed_send_answers_202_and_the_relay_sends_it_later(stack: Stack, monkeypatch: Any) -> None:
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    real_send = queue.send

    def broker_down(*_: Any, **__: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(queue, "send", broker_down)
    first = query(stack, pid, key, 3, idempotency_key="k1", wait_seconds=30)
    assert first.status_code == 202 and first.headers["retry-after"], first.text
    assert first.json()["status"] == "pending"
    replay = query(stack, pid, key, 3, idempotency_key="k1", wait_seconds=30)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    with session_scope() as s:
        job = s.get(Job, first.json()["job_id"])
        assert job is not None and job.sent_at is None and job.status == "queued"
        assert jobs.relay(s, grace_s=-1) == 0  # still down: nothing sent, nothing lost
    monkeypatch.setattr(queue, "send", real_send)
    with session_scope() as s:
        assert jobs.relay(s, grace_s=-1) == 1
    rnd = _wait_round(stack, first.json()["id"], key)
    assert rnd["status"] == "ready" and len(rnd["selections"]) == 3


def test_every_error_is_one_envelope(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    answers = {
        404: stack.client.get("/no-such-route", headers=key),
        405: stack.client.delete("/query-batch", headers=key),
        422: stack.client.post("/query-batch", json={"project_id": pid}, headers=key),
    }
    for status, res in answers.items():
        assert res.status_code == status, res.text
        body = res.json()
        assert set(body) >= {"error", "detail"} and "detail" in body and body["error"] != "", body
    assert answers[422].json()["error"] == "validation_error"
    assert answers[405].json()["error"] == "method_not_allowed"


def test_default_and_named_strategy_and_objective_params_are_both_422(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    project = stack.client.get(f"/projects/{pid}", headers=key).json()
    bad_strategy = {"alpha1": -3} if project["default_strategy"] == "eada" else {"no_such_param": 1}
    for extra in ({"strategy": project["default_strategy"]}, {"strategy": None}):
        body = {"project_id": pid, "budget": 2, "params": bad_strategy, **extra}
        res = stack.client.post("/query-batch", json=body, headers=key)
        assert res.status_code == 422 and res.json()["error"] == "validation_error", res.text
    for extra in ({"objective": project["default_objective"]}, {}):
        res = stack.client.post(
            f"/projects/{pid}/train", json={"params": {"gamma": -5}, **extra}, headers=key
        )
        assert res.status_code == 422 and res.json()["error"] == "validation_error", res.text


def test_refused_uploads_take_no_version_and_concurrent_ready_checkpoints_get_distinct_ones(
    stack: Stack,
) -> None:
    from service.domain import checkpoints
    from tests.service.factories import make_project, upload_checkpoint, weights_bytes

    project, key = make_project(stack)
    refused = upload_checkpoint(stack, project["id"], key, weights_bytes(hidden=[16]))
    assert refused.status_code == 400
    ok = upload_checkpoint(stack, project["id"], key, weights_bytes())
    assert ok.status_code == 201 and ok.json()["checkpoint"]["version"] == 1, ok.text
    listed = stack.client.get(f"/projects/{project['id']}/checkpoints", headers=key).json()
    assert [(c["version"], c["status"]) for c in listed] == [(1, "ready"), (None, "rejected")]
    with session_scope() as s:
        ids = [
            checkpoints.create(
                s, project_id=project["id"], architecture="mlp", arch_args={}, input_spec={}, origin="train"
            ).id
            for _ in range(4)
        ]

    def ready(ckpt_id: int) -> None:  # an IntegrityError here is the race the lock prevents
        with session_scope() as s:
            checkpoints.mark_ready(s, ckpt_id, blob="b", sha256="0" * 64, size_bytes=1)

    errors = run_at_once(ready, [(i,) for i in ids])
    assert not errors, errors
    with session_scope() as s:
        versions = sorted(checkpoints.get(s, i).version or 0 for i in ids)
    assert versions == [2, 3, 4, 5]
