"""Hostile input: each is a clear 4xx, stores nothing and leaves the server up."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
from sqlalchemy import func, select

from service.db.engine import session_scope
from service.db.tables import Pool
from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, upload


def _pools(project_id: int) -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).where(Pool.project_id == project_id)).scalar_one()


def _multipart_chunks(size: int) -> Iterator[bytes]:
    yield b'--b\r\nContent-Disposition: form-data; name="domain"\r\n\r\nsource\r\n'
    yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="p.npz"\r\n\r\n'
    chunk = b"\0" * 65536
    for _ in range(size // len(chunk)):
        yield chunk
    yield b"\r\n--b--\r\n"


def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(stack: Stack, monkeypatch: Any) -> None:
    project, key = make_project(stack)
    monkeypatch.setattr(stack.settings, "max_upload_bytes", 4096)
    res = stack.client.post(
        f"/projects/{project['id']}/pools",
        content=_multipart_chunks(3 * 1024 * 1024),  # no Content-Length: chunked
        headers={**key, "content-type": "multipart/form-data; boundary=b"},
    )
    assert res.status_code == 413 and res.json()["error"] == "payload_too_large", res.text
    assert _pools(project["id"]) == 0
    assert not list((stack.settings.blob_dir / "uploads").glob("*"))
    assert stack.client.get("/healthz").status_code == 200


def test_an_npz_bomb_is_refused_before_it_is_expanded(stack: Stack, monkeypatch: Any) -> None:
    project, key = make_project(stack)
    buf = io.BytesIO()
    np.savez_compressed(buf, x=np.zeros((10_000, 4), np.float32), y=np.zeros(10_000, np.int64))
    monkeypatch.setattr(stack.settings, "max_archive_bytes", 100_000)  # the bomb expands to 480 kB
    res = upload(stack, project["id"], key, buf.getvalue(), domain="source")
    assert res.status_code == 400 and res.json()["error"] == "invalid_pool", res.text
    assert "expands to more than" in res.json()["detail"]
    assert _pools(project["id"]) == 0


def test_an_npy_header_declaring_a_huge_shape_is_refused(stack: Stack) -> None:
    project, key = make_project(stack)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": (10**9, 2)})
    res = stack.client.post(
        f"/projects/{project['id']}/pools",
        files={"file": ("huge.npy", buf.getvalue())},
        data={"domain": "source", "wait_seconds": "30"},
        headers=key,
    )
    assert res.status_code == 400 and "expands to more than" in res.json()["detail"], res.text
    assert _pools(project["id"]) == 0


def test_a_zip_member_with_a_lying_header_is_400_not_internal(stack: Stack) -> None:
    project, key = make_project(stack, input_shape=[1, 4, 4])
    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (4, 4)).save(png, format="PNG")
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/x.png", png.getvalue())
    raw = bytearray(data.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()[0]
    at = info.header_offset + 30 + len(info.filename) + 2  # corrupt the deflate stream itself
    raw[at : at + 8] = b"\xff" * 8
    res = stack.client.post(
        f"/projects/{project['id']}/pools",
        files={"file": ("imgs.zip", bytes(raw))},
        data={"domain": "source", "wait_seconds": "30"},
        headers=key,
    )
    assert res.status_code == 400 and res.json()["error"] == "invalid_pool", res.text
    assert _pools(project["id"]) == 0


def test_honest_uploads_still_pass_the_same_limits(stack: Stack, monkeypatch: Any) -> None:
    project, key = make_project(stack)
    monkeypatch.setattr(stack.settings, "max_archive_bytes", 100_000)
    monkeypatch.setattr(stack.settings, "max_upload_bytes", 4096)
    x = np.zeros((5, 4), np.float32)
    res = upload(stack, project["id"], key, npz_bytes(x=x, y=np.zeros(5, np.int64)), domain="source")
    assert res.status_code == 201, res.text
