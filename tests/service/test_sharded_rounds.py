"""Sharded scoring with one in-process worker (SQLite and PostgreSQL): the round's own worker
scores every shard, the picks are those of one pass, a failed shard fails the round."""

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

N = 1000  # 4 shards of 256 rows


def _shard_jobs(parent_id: int) -> list[tuple[str, str | None, Any]]:
    with session_scope(readonly=True) as s:
        rows = s.execute(select(Job.status, Job.worker, Job.payload).where(Job.parent_id == parent_id))
        return [tuple(r) for r in rows.all()]


def test_one_worker_scores_every_shard_and_picks_the_top_entropy(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    pid, key, ckpt_id = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "ready", rnd
    jobs = _shard_jobs(rnd["job_id"])
    assert sorted((p["lo"], p["hi"]) for _, _, p in jobs) == [(0, 256), (256, 512), (512, 768), (768, 1000)]
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert {(status, worker) for status, worker, _ in jobs} == {("succeeded", job["worker"])}
    assert (job["result"]["device"], job["result"]["dtype"]) == ("cpu", "float32")
    # the top 5 by entropy of the uploaded network, computed here over the whole pool
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(
        load_safetensors(stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content)
    )
    with torch.no_grad():
        logp = torch.log_softmax(net.eval()(torch.from_numpy(tiny_arrays(N, 2, "")["x"]))[0], -1)
    entropy = -(logp.exp() * logp).sum(-1)
    expected = torch.argsort(-entropy, stable=True)[:5].tolist()
    assert [s["external_id"] for s in rnd["selections"]] == [f"target-train-{i:03d}" for i in expected]


def test_a_bfloat16_round_says_so_and_keeps_its_own_shards(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack.settings, "scoring_shard_rows", 256)
    monkeypatch.setattr(stack.settings, "scoring_precision", "bfloat16")
    pid, key, _ = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "ready", rnd
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert (job["result"]["device"], job["result"]["dtype"]) == ("cpu", "bfloat16")
    jobs = _shard_jobs(rnd["job_id"])
    assert len(jobs) == 4 and {p["precision"] for _, _, p in jobs} == {"bfloat16"}


def test_diversity_picks_are_those_of_one_pass(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
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
    pid, key, _ = ready_project(stack, budget=20, n_target=N)
    rnd = query(stack, pid, key, 5).json()
    assert rnd["status"] == "failed" and "shard 512 cannot be read" in rnd["error"], rnd
    job = stack.client.get(f"/jobs/{rnd['job_id']}", headers=key).json()
    assert (job["status"], job["error_code"]) == ("failed", "bad_input"), job
    statuses = sorted(status for status, _, _ in _shard_jobs(rnd["job_id"]))
    assert "failed" in statuses and "running" not in statuses and "queued" not in statuses, statuses
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 0
