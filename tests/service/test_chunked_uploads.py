"""Pool files larger than one request, sent in parts: the pool gets in whole; a part at the wrong
offset (or two racing at the same one) is a 409 that says where to resume; incomplete or
refused uploads create nothing; unfinished ones are collected."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from service.db.engine import session_scope
from service.domain import collect
from service.storage import get_store
from tests.concurrency import run_at_once
from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, tiny_arrays, upload

LIMIT = 4096  # LABELQ_MAX_UPLOAD_BYTES for these tests: the pool below is ~4x that
Project = tuple[int, dict[str, str]]


@pytest.fixture(name="project")
def _project(stack: Stack) -> Iterator[Project]:
    before = stack.settings.max_upload_bytes
    stack.settings.max_upload_bytes = LIMIT
    project, key = make_project(stack)
    yield project["id"], key
    stack.settings.max_upload_bytes = before


def _start(stack: Stack, project: Project, size: int, filename: str = "big.npz") -> Any:
    pid, key = project
    return stack.client.post(
        f"/projects/{pid}/uploads", json={"filename": filename, "size": size}, headers=key
    )


def _send(stack: Stack, key: dict[str, str], upload_id: str, offset: int, data: bytes) -> Any:
    headers = {**key, "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"}
    return stack.client.patch(f"/uploads/{upload_id}", content=data, headers=headers)


def _complete(stack: Stack, key: dict[str, str], upload_id: str, **body: Any) -> Any:
    body = {"domain": "target", "wait_seconds": 30, **body}
    return stack.client.post(f"/uploads/{upload_id}/complete", json=body, headers=key)


def test_a_pool_larger_than_a_request_gets_in_by_parts(stack: Stack, project: Project) -> None:
    pid, key = project
    arrays = tiny_arrays(400, 0, "big-")
    data = npz_bytes(**arrays)
    assert len(data) > 3 * LIMIT
    assert upload(stack, pid, key, data, domain="target").status_code == 413  # one request: too big
    started = _start(stack, project, len(data))
    assert started.status_code == 201, started.text
    up = started.json()
    assert (up["offset"], up["part_bytes"], up["pool_id"]) == (0, LIMIT, None)
    for offset in range(0, len(data), 3000):
        res = _send(stack, key, up["id"], offset, data[offset : offset + 3000])
        assert res.status_code == 200 and res.json()["offset"] == min(offset + 3000, len(data)), res.text
    res = _complete(stack, key, up["id"])
    assert res.status_code == 201 and res.json()["pool"]["status"] == "ready", res.text
    pool = res.json()["pool"]
    assert (pool["n_items"], pool["filename"]) == (400, "big.npz")
    stored = np.load(get_store().path(f"pools/{pool['id']}/x.npy"), allow_pickle=False)
    assert np.array_equal(stored, arrays["x"])  # every byte, in order
    items = stack.client.get(f"/projects/{pid}/items", params={"limit": 1}, headers=key).json()
    assert items["total"] == 400 and items["items"][0]["external_id"] == "big-000"
    assert get_store().listing(f"uploads/chunked-{up['id']}") == [], "the parts are gone once imported"
    again = _complete(stack, key, up["id"])
    assert again.status_code == 201 and again.json()["pool"]["id"] == pool["id"]  # the same pool
    assert len(stack.client.get(f"/projects/{pid}/pools", headers=key).json()) == 1
    assert _send(stack, key, up["id"], len(data), b"more").status_code == 409


def test_parts_at_the_wrong_offset_say_where_to_resume(stack: Stack, project: Project) -> None:
    _, key = project
    data = os.urandom(10_000)
    up = _start(stack, project, len(data)).json()
    assert _send(stack, key, up["id"], 0, data[:4000]).status_code == 200
    res = _send(stack, key, up["id"], 5000, data[5000:9000])  # a part lost in between
    assert res.status_code == 409 and res.json()["offset"] == 4000, res.text
    assert stack.client.get(f"/uploads/{up['id']}", headers=key).json()["offset"] == 4000
    res = _send(stack, key, up["id"], 0, data[:4000])  # sent twice
    assert res.status_code == 409 and res.json()["offset"] == 4000
    res = _send(stack, key, up["id"], 4000, data[4000 : 4000 + LIMIT + 1])
    assert res.status_code == 413  # larger than one part may be
    res = _complete(stack, key, up["id"])
    assert res.status_code == 409 and "received 4000 of 10000 bytes" in res.json()["detail"]
    assert _send(stack, key, up["id"], 4000, data[4000:8000]).status_code == 200
    res = _send(stack, key, up["id"], 8000, data[8000:] + b"x")  # past the declared size
    assert res.status_code == 400 and "past the declared size" in res.json()["detail"]
    assert _send(stack, key, up["id"], 8000, data[8000:]).json()["offset"] == 10_000


def test_two_parts_racing_for_one_offset_one_wins(stack: Stack, project: Project) -> None:
    _, key = project
    up = _start(stack, project, 6000).json()
    answers: dict[bytes, int] = {}

    def send(fill: bytes) -> None:
        answers[fill] = _send(stack, key, up["id"], 0, fill * 3000).status_code

    assert run_at_once(send, [(b"a",), (b"b",), (b"c",)]) == []
    assert sorted(answers.values()) == [200, 409, 409], answers
    winner = next(fill for fill, code in answers.items() if code == 200)
    parts = get_store().listing(f"uploads/chunked-{up['id']}")
    assert len(parts) == 1 and get_store().read_bytes(parts[0][0]) == winner * 3000  # losers' blobs gone
    assert stack.client.get(f"/uploads/{up['id']}", headers=key).json()["offset"] == 3000


def test_bad_uploads_are_refused_and_create_nothing(stack: Stack, project: Project) -> None:
    pid, key = project
    res = _start(stack, project, 100, filename="notes.txt")
    assert res.status_code == 400 and "unsupported file type" in res.json()["detail"]
    res = _start(stack, project, stack.settings.max_pool_bytes + 1)
    assert res.status_code == 413
    other, other_key = make_project(stack)
    up = _start(stack, project, 10).json()
    assert stack.client.get(f"/uploads/{up['id']}", headers=other_key).status_code == 403
    assert _send(stack, other_key, up["id"], 0, b"0123456789").status_code == 403
    assert stack.client.get(f"/uploads/{'0' * 32}", headers=key).status_code == 404
    # every byte of a file that is not a pool: the import is refused, no pool, parts gone
    assert _send(stack, key, up["id"], 0, b"0123456789").status_code == 200
    res = _complete(stack, key, up["id"])
    assert res.status_code == 400 and res.json()["error"] == "invalid_pool", res.text
    assert stack.client.get(f"/projects/{pid}/pools", headers=key).json() == []
    # an upload dropped before it completes
    dropped = _start(stack, project, 10).json()
    assert _send(stack, key, dropped["id"], 0, b"01234").status_code == 200
    assert stack.client.delete(f"/uploads/{dropped['id']}", headers=key).status_code == 204
    assert stack.client.get(f"/uploads/{dropped['id']}", headers=key).status_code == 404
    assert get_store().listing(f"uploads/chunked-{dropped['id']}") == []


def test_unfinished_uploads_are_collected_after_the_upload_age(stack: Stack, project: Project) -> None:
    _, key = project
    stale, fresh = _start(stack, project, 10).json(), _start(stack, project, 10).json()
    for up in (stale, fresh):
        assert _send(stack, key, up["id"], 0, b"01234").status_code == 200
    old = time.time() - 7200
    for part, _ in get_store().listing(f"uploads/chunked-{stale['id']}"):
        os.utime(get_store().path(part), (old, old))
    for part, _ in get_store().listing(f"uploads/chunked-{fresh['id']}"):
        os.utime(get_store().path(part), (old, old))  # old bytes, but the upload is still going on
    with session_scope() as s:
        from sqlalchemy import update

        from service.db.metadata import utcnow
        from service.db.tables import ChunkedUpload

        s.execute(
            update(ChunkedUpload)
            .where(ChunkedUpload.id == stale["id"])
            .values(updated_at=utcnow().replace(year=2000))
        )
    with session_scope() as s:
        done = collect.collect(s, get_store(), keep=2, upload_age_s=3600)
    assert any(k.startswith(f"uploads/chunked-{stale['id']}/") for k in done.uploads)
    assert stack.client.get(f"/uploads/{stale['id']}", headers=key).status_code == 404
    assert get_store().listing(f"uploads/chunked-{fresh['id']}") != []
    assert stack.client.get(f"/uploads/{fresh['id']}", headers=key).json()["offset"] == 5
