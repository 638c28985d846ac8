"""Sharded scoring with one in-process worker (SQLite and PostgreSQL): alone, it scores the shards
itself; with shard jobs nobody else takes, it runs them; the picks are those of one pass; a failed
shard fails the round."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from safetensors.torch import load as load_safetensors
from sqlalchemy import select

from models.networks import build_network
from service.db.engine import session_scope
from service.db.tables import Job
from service.errors import BadInput
from service.storage import get_store
from tests.service.conftest import Stack
from tests.service.factories import (
    ARCH_ARGS,
    query,
    ready_project,
    tiny_arrays,
    upload_checkpoint,
    weights_bytes,
)
from workers import shards
from workers.shards import shard_ranges

N = 1000  # 4 shards of 256 rows


def _shard_jobs(parent_id: int) -> list[tuple[str, str | None, Any]]:
    with session_scope(readonly=True) as s:
        rows = s.execute(select(Job.status, Job.worker, Job.payload).where(Job.parent_id == parent_id))
        return [tuple(r) for r in rows.all()]


def _spread(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if another worker listened: the round makes shard jobs (and, alone, runs them itself)."""
    monkeypatch.setattr(shards, "peers", lambda: 2)


def _top_entropy(stack: Stack, key: dict[str, str], ckpt_id: int, k: int) -> list[str]:
    """The top ``k`` by entropy of the uploaded network, computed here over the whole pool."""
    net = build_network("mlp", **ARCH_ARGS)
    weights = stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content
    net.load_state_dict(load_safetensors(weights))
    with torch.no_grad():
        logp = torch.log_softmax(net.eval()(torch.from_numpy(tiny_arrays(N, 2, "")["x"]))[0], -1)
    entropy = -(logp.exp() * logp).sum(-1)
    return [f"target-train-{i:03d}" for i in torch.argsort(-entropy, stable=True)[:k].tolist()]


def test_a_lone_worker_scores_the_shards_itself_without_jobs(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    monkeypatch.setattr(shards, "peers", lambda: 1)
    pid, key, ckpt_id = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "ready", rnd
    assert _shard_jobs(rnd["job_id"]) == []
    cached = {k.rsplit("/", 1)[1] for k, _ in get_store().listing(f"outputs/checkpoint-{ckpt_id}")}
    pool_id = stack.client.get(f"/projects/{pid}/pools", headers=key).json()[1]["id"]
    assert cached == {f"pool-{pool_id}-rows-{lo}-{hi}.safetensors" for lo, hi in shard_ranges(N, 256)}
    assert [s["external_id"] for s in rnd["selections"]] == _top_entropy(stack, key, ckpt_id, 5)


def test_shard_jobs_nobody_else_takes_are_run_by_the_rounds_worker(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    _spread(monkeypatch)
    pid, key, ckpt_id = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "ready", rnd
    jobs = _shard_jobs(rnd["job_id"])
    assert sorted((p["lo"], p["hi"]) for _, _, p in jobs) == shard_ranges(N, 256)
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert {(status, worker) for status, worker, _ in jobs} == {("succeeded", job["worker"])}
    assert (job["result"]["device"], job["result"]["dtype"]) == ("cpu", "float32")
    assert [s["external_id"] for s in rnd["selections"]] == _top_entropy(stack, key, ckpt_id, 5)


def test_a_bfloat16_round_says_so_and_keeps_its_own_shards(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    monkeypatch.setattr(stack.settings, "scoring_precision", "bfloat16")
    _spread(monkeypatch)
    pid, key, _ = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "ready", rnd
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert (job["result"]["device"], job["result"]["dtype"]) == ("cpu", "bfloat16")
    jobs = _shard_jobs(rnd["job_id"])
    assert len(jobs) == 4 and {p["precision"] for _, _, p in jobs} == {"bfloat16"}


def test_diversity_picks_are_those_of_one_pass(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    _spread(monkeypatch)
    pid, key, first = ready_project(stack, budget=40, n_target=N)
    same = upload_checkpoint(stack, pid, key, weights_bytes()).json()["checkpoint"]["id"]  # no cache yet
    picks = {}
    for shard_rows, ckpt in ((256, first), (100_000, same)):
        monkeypatch.setattr(stack.settings, "scoring_shard_rows", shard_rows)
        for strategy in ("coreset", "badge"):
            rnd = query(stack, pid, key, 5, strategy=strategy, checkpoint_id=ckpt).json()
            assert rnd["status"] == "ready", rnd
            stack.client.post(f"/rounds/{rnd['id']}/cancel", headers=key).raise_for_status()
            picks[shard_rows, strategy] = [s["external_id"] for s in rnd["selections"]]
            assert bool(_shard_jobs(rnd["job_id"])) == (shard_rows == 256 and strategy == "coreset")
    assert picks[256, "coreset"] == picks[100_000, "coreset"]
    assert picks[256, "badge"] == picks[100_000, "badge"]


def test_a_failed_shard_fails_the_round_with_its_error(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    real = shards.job_work

    def failing(store: Any, shard: shards.Shard, device_name: str) -> Any:
        if shard.lo == 512:

            def work(_progress: Any) -> dict[str, Any]:
                raise BadInput("shard 512 cannot be read")

            return work
        return real(store, shard, device_name)

    monkeypatch.setattr(shards, "job_work", failing)
    _spread(monkeypatch)
    pid, key, _ = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "failed" and "shard 512 cannot be read" in rnd["error"], rnd
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert (job["status"], job["error_code"]) == ("failed", "bad_input"), job
    statuses = sorted(status for status, _, _ in _shard_jobs(rnd["job_id"]))
    assert "failed" in statuses and "running" not in statuses and "queued" not in statuses, statuses
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 0
