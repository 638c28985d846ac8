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


def _project_count(stack: Stack) -> int:
    return len(stack.client.get("/projects", headers=stack.admin).json())


def test_malformed_json_text_and_numbers_are_4xx_and_change_nothing(stack: Stack) -> None:
    before = _project_count(stack)
    base = '{"name": %s, "classes": ["a", "b"], "input_shape": [4], "budget": %s}'
    bodies = {
        "NUL in a string": base % ('"a\\u0000b"', "5"),
        "a lone surrogate": base % ('"a\\ud800b"', "5"),
        "a control character": base % ('"a\\u0007b"', "5"),
        "NaN": base % ('"ok"', "NaN"),
        "Infinity": base % ('"ok"', "Infinity"),
        "an integer past 64 bits": base % ('"ok"', "1" + "0" * 30),
        "not UTF-8": (base % ('"ok"', "5")).replace("ok", "o\udcffk"),
    }
    for what, text in bodies.items():
        raw = text.encode("utf-8", "surrogateescape")
        res = stack.client.post(
            "/projects", content=raw, headers={**stack.admin, "content-type": "application/json"}
        )
        assert res.status_code in (400, 422), (what, res.status_code, res.text)
        assert set(res.json()) >= {"error", "detail"}, what
    assert _project_count(stack) == before
    positive = base % ('"fine name"', "5")
    res = stack.client.post(
        "/projects", content=positive, headers={**stack.admin, "content-type": "application/json"}
    )
    assert res.status_code == 201, res.text


def test_ids_beyond_the_database_range_are_422_not_500(stack: Stack) -> None:
    project, key = make_project(stack)
    huge = 2**31
    for path in (f"/projects/{huge}", f"/rounds/{huge}", f"/jobs/{2**63}", f"/checkpoints/{huge}"):
        res = stack.client.get(path, headers=stack.admin)
        assert res.status_code == 422 and res.json()["error"] == "validation_error", (path, res.text)
    body = {"project_id": project["id"], "labels": [{"item_id": huge, "label": 0}]}
    assert stack.client.post("/labels", json=body, headers=key).status_code == 422
    res = stack.client.post("/query-batch", json={"project_id": huge, "budget": 1}, headers=key)
    assert res.status_code == 422
    page = stack.client.get(f"/projects/{project['id']}/items?offset={2**40}", headers=key)
    assert page.status_code == 422


def test_a_json_body_over_its_limit_is_413(stack: Stack, monkeypatch: Any) -> None:
    project, key = make_project(stack)
    monkeypatch.setattr(stack.settings, "max_json_bytes", 10_000)
    labels = [{"external_id": f"x{i}", "label": 0} for i in range(2_000)]
    res = stack.client.post("/labels", json={"project_id": project["id"], "labels": labels}, headers=key)
    assert res.status_code == 413 and res.json()["error"] == "payload_too_large", res.text
    small = {"project_id": project["id"], "labels": labels[:1]}
    assert stack.client.post("/labels", json=small, headers=key).status_code == 404  # parsed, x0 unknown


def test_a_bad_input_spec_and_a_bad_file_name_are_4xx(stack: Stack) -> None:
    import json

    from tests.service.factories import ARCH_ARGS, weights_bytes

    project, key = make_project(stack)
    url = f"/projects/{project['id']}/checkpoints"
    form = {"architecture": "mlp", "arch_args": json.dumps(ARCH_ARGS), "wait_seconds": "30"}
    res = stack.client.post(
        url,
        files={"file": ("w.safetensors", weights_bytes())},
        data={**form, "input_spec": '{"shape": 5}'},
        headers=key,
    )
    assert res.status_code == 400 and "input_spec" in res.json()["detail"], res.text
    # a raw NUL in the part's file name (clients percent-encode it; a hostile one need not)
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in form.items()
    ]
    parts.append(b'--b\r\nContent-Disposition: form-data; name="file"; filename="w\x00.safetensors"\r\n\r\n')
    body = b"".join(parts) + weights_bytes() + b"\r\n--b--\r\n"
    res = stack.client.post(
        url, content=body, headers={**key, "content-type": "multipart/form-data; boundary=b"}
    )
    assert res.status_code == 422 and "file name" in res.json()["detail"], res.text
    assert stack.client.get(url, headers=key).json() == []
    ok = stack.client.post(url, files={"file": ("w.safetensors", weights_bytes())}, data=form, headers=key)
    assert ok.status_code == 201, ok.text


def test_a_network_over_the_parameter_limit_is_refused_before_it_is_built(stack: Stack) -> None:
    project, key = make_project(stack)
    upload(
        stack,
        project["id"],
        key,
        npz_bytes(x=np.zeros((6, 4), np.float32), y=np.zeros(6, np.int64)),
        domain="source",
    )
    body = {"architecture": "mlp", "arch_args": {"hidden": [30_000_000]}, "epochs": 1, "wait_seconds": 30}
    res = stack.client.post(f"/projects/{project['id']}/train", json=body, headers=key)
    job = res.json()["job"]
    assert job["status"] == "failed" and job["error_code"] == "bad_input", job
    assert "more than the limit" in job["error"]
    assert stack.client.get(f"/projects/{project['id']}/checkpoints", headers=key).json() == []


def test_a_small_zip_with_one_huge_member_is_refused_before_it_is_read(
    stack: Stack, monkeypatch: Any
) -> None:
    project, key = make_project(stack, input_shape=[1, 4, 4])
    monkeypatch.setattr(stack.settings, "max_archive_member_bytes", 1_000_000)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/huge.png", b"\0" * 5_000_000)  # 5 MB of zeros: a few kB compressed
    assert len(data.getvalue()) < 50_000
    res = upload(stack, project["id"], key, data.getvalue(), domain="source", filename="imgs.zip")
    assert res.status_code == 400 and "for one image" in res.json()["detail"], res.text
    assert _pools(project["id"]) == 0
