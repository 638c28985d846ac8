"""The full stack on object storage: PostgreSQL, Redis, an S3-compatible server (moto's, in its
own venv), ``labelq serve`` and two ``labelq worker`` processes, each with a data folder of its own:
they share nothing but the bucket. Worker A runs the whole two-round loop; then A stops and B,
which has never seen a blob, retrains and scores a round from what A left in the bucket."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from safetensors.torch import load as load_safetensors

from service.local_server import free_port, stop_processes, wait_ready
from tests.e2e.loop import two_rounds
from tests.peers import moto_server
from tests.services import drop_redis_keys, postgres_database, require_redis

ADMIN = "e2e-s3-admin-key-of-24-characters"


@dataclass
class Hosts:
    url: str
    env: dict[str, str]
    tmp: Path
    bucket: str
    s3: str

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """A labelq process on a 'host' of its own: its own data folder (database and broker are shared)."""
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115
        env = {**self.env, "LABELQ_DATA_DIR": str(folder)}
        cmd = [sys.executable, "-m", "service.cli", *args]
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)

    def keys(self) -> list[str]:
        import boto3

        pages = boto3.client("s3", endpoint_url=self.s3).get_paginator("list_objects_v2")
        return [o["Key"] for page in pages.paginate(Bucket=self.bucket) for o in page.get("Contents", [])]


@pytest.fixture
def hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hosts]:
    import boto3

    redis_url = require_redis()
    queue = f"e2e-s3-{uuid.uuid4().hex[:8]}"
    creds = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in creds.items():
        monkeypatch.setenv(name, value)
    bucket = f"labelq-{uuid.uuid4().hex[:10]}"
    with moto_server() as s3, postgres_database() as db_url:
        boto3.client("s3", endpoint_url=s3).create_bucket(Bucket=bucket)
        env = {
            **os.environ,
            **creds,
            "LABELQ_DATABASE_URL": db_url,
            "LABELQ_BROKER_URL": redis_url,
            "LABELQ_QUEUE": queue,
            "LABELQ_ADMIN_KEY": ADMIN,
            "LABELQ_STORAGE_URL": f"s3://{bucket}/e2e",
            "LABELQ_S3_ENDPOINT_URL": s3,
            "LABELQ_DEFAULT_WAIT_SECONDS": "60",
            "OMP_NUM_THREADS": "1",
        }
        migrate = [sys.executable, "-m", "service.cli", "migrate"]
        subprocess.run(migrate, env={**env, "LABELQ_DATA_DIR": str(tmp_path)}, check=True, timeout=120)
        hosts = Hosts(f"http://127.0.0.1:{free_port()}", env, tmp_path, bucket, s3)
        yield hosts
        drop_redis_keys(queue)


@pytest.mark.slow
def test_two_workers_that_share_only_the_bucket(hosts: Hosts) -> None:
    port = hosts.url.rsplit(":", 1)[1]
    api = hosts.start("api", "serve", "--port", port, "--loglevel", "WARNING")
    worker_a = hosts.start("worker-a", "worker", "--loglevel", "INFO")
    procs = [api, worker_a]
    try:
        wait_ready(hosts.url, procs)
        http, pid = two_rounds(hosts.url, ADMIN)  # the whole loop, every blob through the bucket
        stop_processes([worker_a])
        worker_b = hosts.start("worker-b", "worker", "--loglevel", "INFO")
        procs.append(worker_b)
        wait_ready(hosts.url, [api, worker_b])
        res = http.post(f"/projects/{pid}/train", json={"objective": "ce", "epochs": 2, "wait_seconds": 120})
        assert res.status_code == 200 and res.json()["job"]["status"] == "succeeded", res.text
        body = {"project_id": pid, "budget": 2, "strategy": "coreset", "wait_seconds": 60}
        rnd = http.post("/query-batch", json=body).json()
        assert rnd["status"] == "ready" and len(rnd["selections"]) == 2, rnd
        ckpt = res.json()["job"]["result"]["checkpoint_id"]
        weights = http.get(f"/checkpoints/{ckpt}/weights")  # the API reads it from the bucket
        assert weights.status_code == 200 and "classifier.weight" in load_safetensors(weights.content)
    finally:
        stop_processes(procs)
    keys = hosts.keys()
    pools = [k for k in keys if k.startswith("e2e/pools/")]
    assert len(pools) == 3 and any(k.startswith("e2e/checkpoints/") for k in keys), keys
    for name in ("api", "worker-a", "worker-b"):  # no host kept blobs of its own, only its cache
        assert not (hosts.tmp / name / "blobs").exists(), name
    cache_b = hosts.tmp / "worker-b" / "blob-cache"
    cached_b = {p.relative_to(cache_b).parts[0] for p in cache_b.rglob("*.npy")}
    assert cached_b == {"pools"}  # B fetched A's pool arrays from the bucket
