"""The S3 store against a real S3-compatible server (moto's standalone server, in its own venv):
round trip, streamed writes past the multipart threshold, missing keys, folder deletes, listing,
a cache that notices replaced blobs and stays under its cap, and two hosts sharing only the bucket."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from service.errors import PayloadTooLarge
from service.storage_s3 import S3BlobStore, parse_url
from tests.peers import moto_server

MB = 2**20


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def bucket(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"labelq-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def _store(endpoint: str, bucket: str, cache: Path, cap: int = 1024 * MB) -> S3BlobStore:
    return S3BlobStore(f"s3://{bucket}/run", cache_dir=cache, cache_max_bytes=cap, endpoint_url=endpoint)


def test_urls_name_a_bucket_and_a_prefix() -> None:
    assert parse_url("s3://b") == ("b", "") and parse_url("s3://b/x/y/") == ("b", "x/y/")
    with pytest.raises(ValueError, match="s3://"):
        parse_url("file:///tmp")


def test_round_trip_missing_keys_listing_and_folder_deletes(
    endpoint: str, bucket: str, tmp_path: Path
) -> None:
    store = _store(endpoint, bucket, tmp_path / "a")
    assert not store.exists("pools/1/x.npy")
    with pytest.raises(FileNotFoundError):
        store.path("pools/1/x.npy")
    store.write_bytes("pools/1/x.npy", b"one")
    store.write_bytes("outputs/ckpt-3/pool-1.safetensors", b"o1")
    store.write_bytes("outputs/ckpt-3/pool-2.safetensors", b"o2")
    assert store.exists("pools/1/x.npy") and store.read_bytes("pools/1/x.npy") == b"one"
    keys = [k for k, _ in store.listing("outputs")]
    assert keys == ["outputs/ckpt-3/pool-1.safetensors", "outputs/ckpt-3/pool-2.safetensors"]
    store.delete("outputs/ckpt-3")  # a folder-like key: every blob under it
    assert store.listing("outputs") == [] and store.exists("pools/1/x.npy")
    store.delete("pools/1/x.npy")
    assert not store.exists("pools/1/x.npy") and not (tmp_path / "a" / "pools" / "1" / "x.npy").exists()
    with pytest.raises(ValueError, match="outside"):
        store.write_bytes("../escape", b"x")


def test_streamed_writes_past_the_multipart_threshold_and_the_limit(
    endpoint: str, bucket: str, tmp_path: Path
) -> None:
    store = _store(endpoint, bucket, tmp_path / "a")
    data = np.random.default_rng(0).bytes(20 * MB)  # 3 parts of 8 MiB
    size, sha = store.write_stream("uploads/big", io.BytesIO(data), limit=21 * MB)
    import hashlib

    assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())
    other = _store(endpoint, bucket, tmp_path / "b")  # another host: only the bucket in common
    assert other.path("uploads/big").read_bytes() == data
    with pytest.raises(PayloadTooLarge):
        store.write_stream("uploads/too-big", io.BytesIO(data), limit=10 * MB)
    assert not store.exists("uploads/too-big") and not (tmp_path / "a" / "uploads" / "too-big").exists()


def test_a_blob_replaced_on_another_host_is_fetched_again(endpoint: str, bucket: str, tmp_path: Path) -> None:
    a, b = _store(endpoint, bucket, tmp_path / "a"), _store(endpoint, bucket, tmp_path / "b")
    a.write_bytes("outputs/ckpt-1/pool-1.safetensors", b"logits only")
    assert b.path("outputs/ckpt-1/pool-1.safetensors").read_bytes() == b"logits only"  # cached on b
    a.write_bytes("outputs/ckpt-1/pool-1.safetensors", b"logits and features")
    assert b.path("outputs/ckpt-1/pool-1.safetensors").read_bytes() == b"logits and features"
    a.delete("outputs/ckpt-1/pool-1.safetensors")
    with pytest.raises(FileNotFoundError):
        b.path("outputs/ckpt-1/pool-1.safetensors")  # gone from the bucket: gone from b's cache too
    assert not (tmp_path / "b" / "outputs" / "ckpt-1" / "pool-1.safetensors").exists()


def test_a_memory_mapped_pool_reads_from_the_cache_and_the_cache_keeps_its_cap(
    endpoint: str, bucket: str, tmp_path: Path
) -> None:
    writer = _store(endpoint, bucket, tmp_path / "w")
    arrays = {}
    for i in range(4):
        arrays[i] = np.full((MB // 4,), i, dtype=np.float32)  # 1 MiB each
        buf = io.BytesIO()
        np.save(buf, arrays[i])
        writer.write_bytes(f"pools/{i}/x.npy", buf.getvalue())
    reader = _store(endpoint, bucket, tmp_path / "r", cap=int(2.5 * MB))
    mapped = np.load(reader.path("pools/0/x.npy"), mmap_mode="r")
    for i in (1, 2, 3):
        assert np.array_equal(np.load(reader.path(f"pools/{i}/x.npy"), mmap_mode="r"), arrays[i])
    cached = sorted(p.parent.name for p in (tmp_path / "r" / "pools").rglob("x.npy"))
    assert cached == ["2", "3"]  # least recently used went first; 2 of 1 MiB fit under 2.5 MiB
    assert np.array_equal(mapped, arrays[0])  # an evicted blob stays readable where it is mapped


def test_migrate_makes_the_bucket_with_credentials_from_files(endpoint: str, tmp_path: Path) -> None:
    """What the compose stack's migrate step does: the keys come from secret files
    (LABELQ_S3_*_FILE), the bucket is made once."""
    import os
    import subprocess
    import sys

    import boto3

    (tmp_path / "key").write_text("compose-key\n")
    (tmp_path / "secret").write_text("compose-secret\n")
    name = f"labelq-made-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABELQ_", "AWS_"))}
    env |= {
        "LABELQ_DATA_DIR": str(tmp_path),
        "LABELQ_STORAGE_URL": f"s3://{name}/blobs",
        "LABELQ_S3_ENDPOINT_URL": endpoint,
        "LABELQ_S3_ACCESS_KEY_ID_FILE": str(tmp_path / "key"),
        "LABELQ_S3_SECRET_ACCESS_KEY_FILE": str(tmp_path / "secret"),
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    runs = [
        subprocess.run(
            [sys.executable, "-m", "service.cli", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "bucket created" in runs[0].stdout and "bucket exists" in runs[1].stdout
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    )
    assert name in {b["Name"] for b in client.list_buckets()["Buckets"]}
