"""Pools registered by file:// URI under LABELQ_DATA_ROOTS: read by the worker in place, larger than
one request may be; anything outside the roots refused, nothing stored."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
            _image_paths_in_the_bucket(stack, client, bucket)
        finally:
            stack.settings.data_roots, stack.settings.s3_endpoint_url, stack.settings.s3_access_key_id = (
                before
            )
            stack.settings.s3_secret_access_key = None
    assert [
        p["n_items"] for p in stack.client.get(f"/projects/{project['id']}/pools", headers=key).json()
    ] == [30]


def test_a_table_of_image_paths_reads_the_images_beside_it(stack: Stack, roots: Path, tmp_path: Path) -> None:
    """path relative to the table's folder: images resized to the input shape, kept as uint8,
    labels and ids from the table; paths outside the folder, missing images and uploaded tables
    (no folder to read from) refused with the row, nothing stored."""
    import pyarrow as pa
    import pyarrow.parquet

    from service.storage import get_store
    from tests.service.factories import image_project, png_bytes

    pid, key = image_project(stack)
    (roots / "imgs").mkdir()
    for name, value in (("a", 10), ("b", 20), ("c", 30)):
        (roots / "imgs" / f"{name}.png").write_bytes(png_bytes(value, size=8))  # 8 x 8 -> 4 x 4

    def table(paths: list[str], name: str, y: list[int | None] | None = None) -> str:
        columns = {"path": paths, "id": [f"{name}-{i}" for i in range(len(paths))]}
        pyarrow.parquet.write_table(pa.table(columns | ({"y": y} if y else {})), roots / name)
        return (roots / name).as_uri()

    uri = table(["imgs/a.png", "imgs/c.png"], "t.parquet", [1, 0])
    res = _register(stack, pid, key, uri, domain="source")
    assert res.status_code == 201, res.text
    stored = np.load(get_store().path(f"pools/{res.json()['pool']['id']}/x.npy"), allow_pickle=False)
    assert stored.dtype == np.uint8 and stored.shape == (2, 1, 4, 4)
    flat = stored.reshape(2, -1)
    assert flat.min(axis=1).tolist() == [10, 30] == flat.max(axis=1).tolist()  # grey stays grey
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    assert {(i["external_id"], i["label"]) for i in items} == {("t.parquet-0", 1), ("t.parquet-1", 0)}
    res = _register(stack, pid, key, table(["imgs/b.png"], "u.parquet", [None]))
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 0, res.text

    (tmp_path / "outside.png").write_bytes(png_bytes(1))
    os.symlink(tmp_path / "outside.png", roots / "imgs" / "link.png")
    for paths, message in (
        (["imgs/a.png", "../outside.png"], "row 1: '../outside.png' points outside the table's folder"),
        ([str(tmp_path / "outside.png")], "points outside the table's folder"),
        (["imgs/link.png"], "points outside the table's folder"),
        (["imgs/missing.png"], "is not a file beside the table"),
    ):
        res = _register(stack, pid, key, table(paths, "bad.parquet"))
        assert res.status_code == 400 and message in res.json()["detail"], (paths, res.text)
    pyarrow.parquet.write_table(pa.table({"path": ["imgs/a.png"]}), tmp_path / "up.parquet")
    res = upload(
        stack, pid, key, (tmp_path / "up.parquet").read_bytes(), domain="target", filename="up.parquet"
    )
    assert res.status_code == 400 and "register it by file:// or s3:// URI" in res.json()["detail"], res.text
    assert stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"] == 3


def _image_paths_in_the_bucket(stack: Stack, client: Any, bucket: str) -> None:
    """A table of image paths registered by s3:// URI: its images are the objects beside it."""
    import io

    import pyarrow as pa
    import pyarrow.parquet

    from service.storage import get_store
    from tests.service.factories import image_project, png_bytes

    pid, key = image_project(stack)
    for name, value in (("a", 10), ("b", 20)):
        client.put_object(Bucket=bucket, Key=f"team/imgs/{name}.png", Body=png_bytes(value, size=8))

    def table(paths: list[str], name: str) -> str:
        buf = io.BytesIO()
        pyarrow.parquet.write_table(
            pa.table({"path": paths, "id": [f"{name}-{i}" for i in range(len(paths))]}), buf
        )
        client.put_object(Bucket=bucket, Key=f"team/{name}", Body=buf.getvalue())
        return f"s3://{bucket}/team/{name}"

    res = _register(stack, pid, key, table(["imgs/a.png", "imgs/b.png"], "paths.parquet"))
    assert res.status_code == 201 and res.json()["pool"]["n_items"] == 2, res.text
    stored = np.load(get_store().path(f"pools/{res.json()['pool']['id']}/x.npy"), allow_pickle=False)
    assert stored.dtype == np.uint8 and stored.reshape(2, -1).max(axis=1).tolist() == [10, 20]
    for paths, message in (
        (["imgs/a.png", "../other/x.png"], "row 1: '../other/x.png' points outside the table's folder"),
        (["imgs/missing.png"], "is not an object beside the table"),
    ):
        res = _register(stack, pid, key, table(paths, "bad.parquet"))
        assert res.status_code == 400 and message in res.json()["detail"], (paths, res.text)
