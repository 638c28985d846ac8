"""Pools registered by file:// URI under LABELQ_DATA_ROOTS: read by the worker in place, larger than
one request may be; anything outside the roots refused, nothing stored."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, tiny_arrays, upload


@pytest.fixture
def roots(stack: Stack, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "pools"
    root.mkdir()
    before = (stack.settings.data_roots, stack.settings.max_upload_bytes)
    stack.settings.data_roots, stack.settings.max_upload_bytes = [str(root)], 4096  # uploads: 4 KiB at most
    yield root
    stack.settings.data_roots, stack.settings.max_upload_bytes = before


def _register(stack: Stack, pid: int, key: dict[str, str], uri: str, **form: str):  # type: ignore[no-untyped-def]
    data = {"domain": "target", "uri": uri, "wait_seconds": "30", **form}
    return stack.client.post(f"/projects/{pid}/pools", data=data, headers=key)


def test_a_pool_larger_than_a_request_gets_in_by_uri(stack: Stack, roots: Path) -> None:
    project, key = make_project(stack)
    arrays = tiny_arrays(400, 0, "big-")  # 400 x 4 float32 and ids: more than the 4 KiB upload limit
    (roots / "big.npz").write_bytes(npz_bytes(**arrays))
    too_big = upload(stack, project["id"], key, (roots / "big.npz").read_bytes(), domain="target")
    assert too_big.status_code == 413
    res = _register(stack, project["id"], key, (roots / "big.npz").as_uri())
    assert res.status_code == 201, res.text
    assert (res.json()["pool"]["n_items"], res.json()["pool"]["filename"]) == (400, "big.npz")
    assert (roots / "big.npz").exists(), "a registered file is read in place, never deleted"
    items = stack.client.get(f"/projects/{project['id']}/items", params={"limit": 2}, headers=key).json()
    assert items["total"] == 400 and items["items"][0]["external_id"] == "big-000"


def test_uris_outside_the_roots_are_refused(stack: Stack, roots: Path, tmp_path: Path) -> None:
    project, key = make_project(stack)
    outside = tmp_path / "secret.npy"
    np.save(outside, np.zeros((2, 4), np.float32))
    os.symlink(outside, roots / "link.npy")
    (roots / "notes.txt").write_text("x")
    cases = {
        outside.as_uri(): "not under an allowed data root",
        (roots / "link.npy").as_uri(): "not under an allowed data root",  # a link out of the root
        (roots / ".." / "secret.npy").as_uri(): "not under an allowed data root",
        (roots / "missing.npy").as_uri(): "is not a file",
        (roots / "notes.txt").as_uri(): "unsupported file type",
        "http://example.com/pool.npy": "file:// or s3:// URI",
        "s3://bucket/pool.npy": "not under an allowed data root",
        "ftp://host/pool.npy": "file:// or s3:// URI",
    }
    for uri, message in cases.items():
        res = _register(stack, project["id"], key, uri)
        assert res.status_code == 400 and message in res.json()["detail"], (uri, res.text)
    both = stack.client.post(
        f"/projects/{project['id']}/pools",
        data={"domain": "target", "uri": outside.as_uri()},
        files={"file": ("p.npz", npz_bytes(**tiny_arrays(2, 0, "b-")))},
        headers=key,
    )
    assert both.status_code == 400 and "exactly one" in both.json()["detail"]
    neither = stack.client.post(f"/projects/{project['id']}/pools", data={"domain": "target"}, headers=key)
    assert neither.status_code == 400
    assert stack.client.get(f"/projects/{project['id']}/pools", headers=key).json() == []


def test_no_roots_no_uris(stack: Stack, tmp_path: Path) -> None:
    project, key = make_project(stack)
    np.save(tmp_path / "p.npy", np.zeros((2, 4), np.float32))
    res = _register(stack, project["id"], key, (tmp_path / "p.npy").as_uri())
    assert res.status_code == 400 and "LABELQ_DATA_ROOTS" in res.json()["detail"]


def test_a_pool_registered_from_the_object_store(stack: Stack, tmp_path: Path) -> None:
    """s3://bucket/key under an s3:// data root: the worker downloads and imports it."""
    import uuid

    import boto3

    from tests.peers import moto_server

    project, key = make_project(stack)
    bucket = f"pools-{uuid.uuid4().hex[:8]}"
    with moto_server() as endpoint:
        before = (stack.settings.data_roots, stack.settings.s3_endpoint_url, stack.settings.s3_access_key_id)
        from pydantic import SecretStr

        stack.settings.data_roots = [f"s3://{bucket}/team"]
        stack.settings.s3_endpoint_url = endpoint
        stack.settings.s3_access_key_id, stack.settings.s3_secret_access_key = SecretStr("k"), SecretStr("s")
        try:
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                aws_access_key_id="k",
                aws_secret_access_key="s",
                region_name="us-east-1",
            )
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="team/p.npz", Body=npz_bytes(**tiny_arrays(30, 1, "s3-")))
            res = _register(stack, project["id"], key, f"s3://{bucket}/team/p.npz")
            assert res.status_code == 201 and res.json()["pool"]["n_items"] == 30, res.text
            for uri, message in (
                (f"s3://{bucket}/team/missing.npz", "cannot be read from the object store"),
                (f"s3://{bucket}/other/p.npz", "not under an allowed data root"),
                (f"s3://{bucket}/team/../p.npz", "s3://bucket/key"),
            ):
                res = _register(stack, project["id"], key, uri)
                assert res.status_code == 400 and message in res.json()["detail"], (uri, res.text)
        finally:
            stack.settings.data_roots, stack.settings.s3_endpoint_url, stack.settings.s3_access_key_id = (
                before
            )
            stack.settings.s3_secret_access_key = None
    assert [
        p["n_items"] for p in stack.client.get(f"/projects/{project['id']}/pools", headers=key).json()
    ] == [30]
