"""Sharded scoring on the real stack (tests/e2e/stack.py): shard jobs run on every worker, their
outputs gathered pick exactly what one worker's whole pass picks, a killed shard is run again."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import numpy as np
import pytest

from tests.e2e.loop import _npz
from tests.e2e.stack import Stack, project_client, until

POOL = 6000
SHARD = 256
STRATEGIES = ["entropy", "margin", "coreset", "badge", "cod"]


def _setup(stack: Stack, rows: int, hidden: list[int], trainings: int) -> Any:
    http = project_client(stack.url, budget=50)
    pid = http.project_id
    rng = np.random.default_rng(7)
    big = _npz(x=rng.normal(size=(rows, 2)).astype(np.float32), ids=np.array([f"b{i}" for i in range(rows)]))
    res = http.post(
        f"/projects/{pid}/pools",
        files={"file": ("b.npz", big)},
        data={"domain": "target", "wait_seconds": "60"},
    )
    assert res.status_code == 201, res.text
    body = {"objective": "ce", "architecture": "mlp", "arch_args": {"hidden": hidden}, "epochs": 1}
    for _ in range(trainings):  # the second checkpoint's parent is what COD compares with
        job = http.post(f"/projects/{pid}/train", json={**body, "wait_seconds": 120}).json()["job"]
        assert job["status"] == "succeeded", job
    return http


def _picks(http: Any, strategy: str) -> tuple[list[tuple[str, float]], int]:
    """A round's picks (external id, score) and its job id; the round is cancelled afterwards so
    the next one sees the same candidates."""
    res = http.post(
        "/query-batch",
        json={"project_id": http.project_id, "budget": 5, "strategy": strategy, "wait_seconds": 180},
    )
    assert res.status_code == 201 and res.json()["status"] == "ready", res.text
    rnd = res.json()
    http.post(f"/rounds/{rnd['id']}/cancel").raise_for_status()
    return [(s["external_id"], s["score"]) for s in rnd["selections"]], rnd["job_id"]


def _stop_a_worker_in_a_shard(stack: Stack, round_job: int) -> tuple[Any, list[int]]:
    """Freeze (SIGSTOP) a worker other than the round's while it runs a shard, and the shards it
    holds then: frozen, it can finish none of them, so what the database shows is what the kill
    cuts. A worker caught between two shards is let go and caught again."""
    while True:
        ((_, name),) = until(
            "a shard to run on the other worker",
            lambda: stack.sql(
                "SELECT s.id, s.worker FROM jobs s JOIN jobs r ON s.parent_id = r.id"
                " WHERE r.id = %s AND s.status = 'running' AND s.worker <> r.worker LIMIT 1",
                round_job,
            ),
            120,
        )
        victim = next(w for w in stack.workers if str(w.pid) == name.rsplit("-", 1)[1])
        os.killpg(victim.pid, signal.SIGSTOP)
        time.sleep(0.5)  # a commit it had already sent has landed by now
        held = stack.sql(
            "SELECT id FROM jobs WHERE parent_id = %s AND status = 'running' AND worker = %s", round_job, name
        )
        if held:
            return victim, [shard_id for (shard_id,) in held]
        os.killpg(victim.pid, signal.SIGCONT)


@pytest.mark.slow
def test_shards_run_on_every_worker_and_pick_what_one_whole_pass_picks(stack: Stack) -> None:
    stack.restart_workers(2, LABELQ_SCORING_SHARD_ROWS=str(SHARD))
    http = _setup(stack, POOL, [512, 512], trainings=2)
    sharded, shards_of = {}, {}
    for strategy in STRATEGIES:
        sharded[strategy], job_id = _picks(http, strategy)
        shards_of[strategy] = stack.sql("SELECT status, worker, kind FROM jobs WHERE parent_id = %s", job_id)
    per_pass = -(-POOL // SHARD) + 1  # the big pool's shards and the 30-row target pool's one
    assert len(shards_of["entropy"]) == per_pass  # logits only
    assert shards_of["margin"] == []  # the same checkpoint's cached logits serve it
    assert len(shards_of["coreset"]) == per_pass  # features now: each shard once more
    assert shards_of["badge"] == []
    assert len(shards_of["cod"]) == per_pass  # the parent checkpoint's pass, for the comparison
    every = [row for rows in shards_of.values() for row in rows]
    assert {(status, kind) for status, _, kind in every} == {("succeeded", "score_shard")}
    workers = {name.rsplit("-", 1)[1] for _, name, _ in every}
    assert workers == {str(w.pid) for w in stack.workers[-2:]}, "both workers scored shards"

    stack.restart_workers(1, LABELQ_SCORING_SHARD_ROWS="1000000")  # one worker, one pass per pool
    for strategy in STRATEGIES:
        whole, job_id = _picks(http, strategy)
        assert stack.sql("SELECT id FROM jobs WHERE parent_id = %s", job_id) == []
        assert whole == sharded[strategy], strategy


@pytest.mark.slow
def test_a_shard_whose_worker_is_killed_is_run_again_and_the_round_is_scored_once(stack: Stack) -> None:
    stack.restart_workers(2, LABELQ_SCORING_SHARD_ROWS="1024")
    http = _setup(stack, 8 * 1024, [4096, 4096], trainings=1)
    rnd = http.post(
        "/query-batch",
        json={"project_id": http.project_id, "budget": 4, "strategy": "entropy", "wait_seconds": 0},
    ).json()
    victim, cut = _stop_a_worker_in_a_shard(stack, rnd["job_id"])
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=20)
    done = until(
        "the round to be scored",
        lambda: (r := http.get(f"/rounds/{rnd['id']}").json())["status"] not in ("pending", "scoring") and r,
        300,
    )
    assert done["status"] == "ready" and done["n_selections"] == 4, done
    for shard_id in cut:
        ((status, attempts),) = stack.sql("SELECT status, attempts FROM jobs WHERE id = %s", shard_id)
        assert (status, attempts) == ("succeeded", 2)  # taken again once its lease ran out
    job = http.get(f"/jobs/{rnd['job_id']}").json()
    assert job["status"] == "succeeded" and job["attempts"] == 1, job
    statuses = stack.sql("SELECT status FROM jobs WHERE parent_id = %s", rnd["job_id"])
    assert statuses == [("succeeded",)] * (8 + 1)  # the big pool's shards, the small pool's one
    assert http.get(f"/projects/{http.project_id}").json()["budget_reserved"] == 4
