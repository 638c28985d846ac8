"""The generated client works: openapi-python-client, run on the schema a live ``labelq serve``
serves, produces exactly the committed SDK (``labelq_client/``), and that SDK alone drives the whole
loop: project, pools and a checkpoint (multipart), training, ``/query-batch``, ``/labels``, a
retrain, metrics, weights, a simulation and its plot. No hand-written HTTP call."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from models.networks import build_network
from service.local_server import stop_processes, wait_ready
from tests.e2e.embedded import serve
from tests.e2e.loop import CLASSES, _npz, _pool
from tests.services import IN_CI

REPO = Path(__file__).resolve().parents[2]
ARCH_ARGS = {"input_shape": [2], "num_classes": 3, "hidden": [16]}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def _regenerate(url: str, tmp: Path) -> Path:
    schema = tmp / "served-openapi.json"
    schema.write_bytes(httpx.get(f"{url}/openapi.json", timeout=30).content)
    out = tmp / "labelq_client"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate_sdk.py"),
            "--schema",
            str(schema),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        message = f"cannot generate the client: {done.stdout[-2000:]} {done.stderr[-2000:]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return out


def _wait_job(client: object, job_id: int, timeout: float = 300) -> object:
    from labelq_client.api.jobs import get_job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = get_job.sync(job_id, client=client)  # type: ignore[arg-type]
        if job.status in ("succeeded", "failed", "cancelled"):  # type: ignore[union-attr]
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {timeout:.0f} s")


@pytest.mark.slow
def test_the_generated_client_is_committed_and_drives_the_loop(tmp_path: Path) -> None:
    from labelq_client import AuthenticatedClient
    from labelq_client.api.checkpoints import download_weights, upload_checkpoint
    from labelq_client.api.labels import submit_labels
    from labelq_client.api.pools import upload_pool
    from labelq_client.api.projects import create_project, get_project, get_project_metrics
    from labelq_client.api.rounds import query_batch
    from labelq_client.api.simulation import get_simulation, get_simulation_plot, simulate_project
    from labelq_client.api.training import train_project
    from labelq_client.models import (
        BodyUploadCheckpoint,
        BodyUploadPool,
        ErrorOut,
        LabelEntry,
        LabelsIn,
        ProjectIn,
        QueryBatchIn,
        SimulateIn,
        SimulationRunIn,
        TrainIn,
    )
    from labelq_client.types import File

    with serve(tmp_path) as (server, url):
        try:
            wait_ready(url, [server])
            generated = _regenerate(url, tmp_path)
            assert _tree(generated) == _tree(REPO / "labelq_client"), "the SDK is stale: run `make client`"

            admin = (tmp_path / ".labelq" / "admin.key").read_text().strip()
            as_admin = AuthenticatedClient(base_url=url, token=admin, timeout=httpx.Timeout(120))
            made = create_project.sync(
                client=as_admin, body=ProjectIn(name="sdk", classes=CLASSES, input_shape=[2], budget=10)
            )
            assert not isinstance(made, ErrorOut) and made is not None
            client = AuthenticatedClient(base_url=url, token=made.api_key, timeout=httpx.Timeout(120))
            pid = made.id

            xs, ys = _pool(60, 0)
            xt, yt = _pool(30, 1)
            xe, ye = _pool(15, 2)
            truth = {f"t{i:02d}": int(yt[i]) for i in range(30)}
            pools = [
                (_npz(x=xs, y=ys), "source", "train"),
                (_npz(x=xt + 1.0, ids=np.array(list(truth))), "target", "train"),
                (_npz(x=xe + 1.0, y=ye), "target", "eval"),
            ]
            for data, domain, split in pools:
                body = BodyUploadPool(
                    file=File(payload=io.BytesIO(data), file_name="pool.npz"),
                    domain=domain,  # type: ignore[arg-type]
                    split=split,  # type: ignore[arg-type]
                    wait_seconds=60,
                )
                answer = upload_pool.sync_detailed(pid, client=client, body=body)
                assert answer.status_code == 201, answer.content
                assert answer.parsed.pool.n_items == len(np.load(io.BytesIO(data))["x"])

            torch.manual_seed(0)
            net = build_network("mlp", **ARCH_ARGS)
            weights = save_safetensors({k: v.contiguous() for k, v in net.state_dict().items()})
            answer = upload_checkpoint.sync_detailed(
                pid,
                client=client,
                body=BodyUploadCheckpoint(
                    file=File(payload=io.BytesIO(weights), file_name="w.safetensors"),
                    architecture="mlp",
                    arch_args=json.dumps(ARCH_ARGS),
                    wait_seconds=60,
                ),
            )
            assert answer.status_code == 201 and answer.parsed.checkpoint.status == "ready", answer.content

            for round_no, strategy in enumerate(["entropy", "margin"], start=1):
                answer = query_batch.sync_detailed(
                    client=client,
                    body=QueryBatchIn(project_id=pid, budget=4, strategy=strategy, wait_seconds=60),
                )
                assert answer.status_code == 201, answer.content
                rnd = answer.parsed
                picked = [s.external_id for s in rnd.selections]
                labels = LabelsIn(
                    project_id=pid,
                    round_id=rnd.id,
                    annotator="sdk",
                    labels=[LabelEntry(external_id=e, label=truth[e]) for e in picked],
                )
                done = submit_labels.sync(client=client, body=labels)
                assert not isinstance(done, ErrorOut) and done is not None
                assert (done.accepted, done.budget_spent, done.budget_left) == (
                    4,
                    4 * round_no,
                    10 - 4 * round_no,
                )
                # the same labels again: nothing new, nothing charged
                again = submit_labels.sync(client=client, body=labels)
                assert again.accepted == 0 and again.budget_spent == 4 * round_no  # type: ignore[union-attr]
                trained = train_project.sync(
                    pid,
                    client=client,
                    body=TrainIn(objective="ce", epochs=3, batch_size=16, wait_seconds=120),
                )
                # wait_seconds is capped (LABELQ_MAX_WAIT_SECONDS): a busy machine may answer queued
                job = _wait_job(client, trained.job.id)  # type: ignore[union-attr]
                assert job.status == "succeeded", job  # type: ignore[attr-defined]
                assert job.result["version"] == round_no + 1  # type: ignore[attr-defined]

            refused = query_batch.sync_detailed(
                client=client, body=QueryBatchIn(project_id=pid, budget=3, strategy="entropy")
            )
            assert refused.status_code == 409 and isinstance(refused.parsed, ErrorOut)
            assert "only 2 are left" in refused.parsed.detail

            project = get_project.sync(pid, client=client)
            assert (project.budget_spent, project.budget_left) == (8, 2)  # type: ignore[union-attr]
            metrics = get_project_metrics.sync(pid, client=client)
            versions = [c.version for c in metrics.checkpoints]  # type: ignore[union-attr]
            assert versions == [1, 2, 3]
            last = metrics.checkpoints[-1]  # type: ignore[union-attr]
            assert last.labels_at_training == 8
            blob = download_weights.sync_detailed(last.checkpoint_id, client=client)
            assert (
                blob.status_code == 200
                and blob.content
                == httpx.get(
                    f"{url}/checkpoints/{last.checkpoint_id}/weights",
                    headers={"Authorization": f"Bearer {made.api_key}"},
                ).content
            )
            assert set(load_safetensors(blob.content)) == set(net.state_dict())  # the network's weights
            wrong = get_project.sync_detailed(
                pid, client=AuthenticatedClient(base_url=url, token="wrong-key")
            )
            assert wrong.status_code == 401 and wrong.parsed.error == "unauthorized"  # type: ignore[union-attr]

            sim = create_project.sync(
                client=as_admin, body=ProjectIn(name="sdk-sim", classes=CLASSES, input_shape=[2], budget=30)
            )
            simc = AuthenticatedClient(base_url=url, token=sim.api_key, timeout=httpx.Timeout(120))  # type: ignore[union-attr]
            for data, domain, split, hidden in [
                (_npz(x=xs, y=ys), "source", "train", False),
                (_npz(x=xt + 1.0, y=yt), "target", "train", True),
                (_npz(x=xe + 1.0, y=ye), "target", "eval", False),
            ]:
                body = BodyUploadPool(
                    file=File(payload=io.BytesIO(data), file_name="pool.npz"),
                    domain=domain,  # type: ignore[arg-type]
                    split=split,  # type: ignore[arg-type]
                    hidden_labels=hidden,
                    wait_seconds=60,
                )
                assert upload_pool.sync_detailed(sim.id, client=simc, body=body).status_code == 201  # type: ignore[union-attr]
            start = BodyUploadCheckpoint(
                file=File(payload=io.BytesIO(weights), file_name="w.safetensors"),
                architecture="mlp",
                arch_args=json.dumps(ARCH_ARGS),
                wait_seconds=60,
            )
            assert upload_checkpoint.sync_detailed(sim.id, client=simc, body=start).status_code == 201  # type: ignore[union-attr]
            started = simulate_project.sync(
                sim.id,  # type: ignore[union-attr]
                client=simc,
                body=SimulateIn(
                    runs=[SimulationRunIn(strategy="random"), SimulationRunIn(strategy="entropy")],
                    schedule=[3, 3],
                    seeds=[0, 1],
                    epochs=1,
                    wait_seconds=0,
                ),
            )
            assert not isinstance(started, ErrorOut), started
            job = _wait_job(simc, started.job.id)  # type: ignore[union-attr]
            assert job.status == "succeeded", job  # type: ignore[attr-defined]
            result = get_simulation.sync(started.job.id, client=simc).result  # type: ignore[union-attr]
            assert [r.strategy for r in result.runs] == ["random", "entropy"]  # type: ignore[union-attr]
            assert all(r.curve.labels == [0, 3, 6] for r in result.runs)  # type: ignore[union-attr]
            assert all(len(r.curve.per_seed) == 2 for r in result.runs)  # type: ignore[union-attr]
            plot = get_simulation_plot.sync(started.job.id, client=simc)  # type: ignore[union-attr]
            assert isinstance(plot, File) and plot.payload.read()[:8] == b"\x89PNG\r\n\x1a\n"
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)
