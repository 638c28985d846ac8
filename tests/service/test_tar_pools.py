"""Image pools from tar archives (.tar, .tar.gz, .tar.bz2, .tar.xz), with the zip rules: class
folders or a manifest, unlabeled target pools; links, paths outside the root, bombs and corrupt
archives refused with the reason, nothing stored."""

from __future__ import annotations

import io
import tarfile

import numpy as np
import pytest

from service.storage import get_store
from tests.service.conftest import Stack
from tests.service.factories import image_project, png_bytes, upload

Project = tuple[int, dict[str, str]]


def _tar(members: dict[str, bytes], mode: str = "w:gz", links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tf.addfile(info)
    return buf.getvalue()


@pytest.fixture(name="project")
def _project(stack: Stack) -> Project:
    return image_project(stack)


def _items(stack: Stack, project: Project) -> set[tuple[str, int | None]]:
    pid, key = project
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    return {(i["external_id"], i["label"]) for i in items}


@pytest.mark.parametrize(
    ("mode", "filename"), [("w", "i.tar"), ("w:gz", "i.tar.gz"), ("w:bz2", "i.tbz2"), ("w:xz", "i.tar.xz")]
)
def test_class_folders_in_every_tar_form(stack: Stack, project: Project, mode: str, filename: str) -> None:
    pid, key = project
    data = _tar({"cat/1.png": png_bytes(7), "dog/2.png": png_bytes(200)}, mode)
    res = upload(stack, pid, key, data, domain="source", filename=filename)
    assert res.status_code == 201, res.text
    assert _items(stack, project) == {("cat/1.png", 0), ("dog/2.png", 1)}
    stored = np.load(get_store().path(f"pools/{res.json()['pool']['id']}/x.npy"), allow_pickle=False)
    assert stored.dtype == np.uint8 and stored.shape == (2, 1, 4, 4)
    assert sorted(stored.reshape(2, -1).max(axis=1).tolist()) == [7, 200]  # grey images stay grey


def test_unlabeled_tars_are_target_pools_and_manifests_work(stack: Stack, project: Project) -> None:
    pid, key = project
    res = upload(
        stack,
        pid,
        key,
        _tar({"a.png": png_bytes(1), "b/c.png": png_bytes(2)}),
        domain="target",
        filename="f.tgz",
    )
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 0, res.text
    manifest = b"path,label,id\nx.png,dog,first\n"
    res = upload(
        stack,
        pid,
        key,
        _tar({"manifest.csv": manifest, "x.png": png_bytes(3)}),
        domain="source",
        filename="m.tar",
    )
    assert res.status_code == 201, res.text
    assert _items(stack, project) == {("a.png", None), ("b/c.png", None), ("first", 1)}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_tar({"cat/1.png": png_bytes(0)}, links={"cat/2.png": "/etc/passwd"}), "is a link"),
        (_tar({"cat/1.png": png_bytes(0), "../dog/2.png": png_bytes(1)}), "outside the archive root"),
        (_tar({"/abs/cat/1.png": png_bytes(0)}), "outside the archive root"),
        (_tar({"cat/1.png": b"not an image"}), "not a readable image"),
        (_tar({"cat/1.png": png_bytes(0)})[:40], "tar archive"),
        (b"\x1f\x8b" + b"\0" * 100, "tar archive"),
    ],
    ids=["symlink", "dotdot", "absolute", "not-an-image", "truncated", "garbage"],
)
def test_bad_tars_are_refused_and_store_nothing(
    stack: Stack, project: Project, data: bytes, reason: str
) -> None:
    pid, key = project
    res = upload(stack, pid, key, data, domain="source", filename="bad.tar.gz")
    assert res.status_code == 400 and reason in res.json()["detail"], res.text
    assert stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"] == 0


def test_a_tar_bomb_is_refused_before_it_is_read(
    stack: Stack, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, key = project
    monkeypatch.setattr(stack.settings, "max_archive_bytes", 10_000)
    res = upload(
        stack, pid, key, _tar({"cat/big.png": b"\0" * 1_000_000}), domain="source", filename="bomb.tar.gz"
    )
    assert res.status_code == 400 and "expands beyond" in res.json()["detail"]
    monkeypatch.setattr(stack.settings, "max_archive_members", 3)
    many = _tar({f"cat/{i}.png": png_bytes(i) for i in range(5)})
    res = upload(stack, pid, key, many, domain="source", filename="many.tar.gz")
    assert res.status_code == 400 and "more members than the limit 3" in res.json()["detail"]
