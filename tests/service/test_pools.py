"""Pool uploads: tensors and image archives in; bad input refused with a clear error, nothing stored."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from tests.service.conftest import Stack
from tests.service.factories import (
    image_project,
    make_project,
    npz_bytes,
    png_bytes,
    tiny_arrays,
    upload,
    upload_pool,
)


def _counts(stack: Stack, pid: int, key: dict[str, str]) -> tuple[int, int]:
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"]
    pools = len(stack.client.get(f"/projects/{pid}/pools", headers=key).json())
    return items, pools


def test_npz_upload_creates_items_with_external_ids(stack: Stack) -> None:
    project, key = make_project(stack)
    pool = upload_pool(stack, project["id"], key, domain="target", n=12, labeled=False, prefix="t-")
    assert (pool["n_items"], pool["n_labeled"], pool["status"]) == (12, 0, "ready")
    page = stack.client.get(
        f"/projects/{project['id']}/items",
        headers=key,
        params={"domain": "target", "labeled": "false", "limit": 5},
    ).json()
    assert page["total"] == 12 and len(page["items"]) == 5
    assert page["items"][0]["external_id"] == "t-000" and page["items"][0]["label"] is None


def test_npy_and_safetensors_uploads(stack: Stack) -> None:
    from safetensors.numpy import save

    project, key = make_project(stack)
    x = np.zeros((3, 4), dtype=np.float32)
    buf = io.BytesIO()
    np.save(buf, x)
    assert (
        upload(stack, project["id"], key, buf.getvalue(), domain="target", filename="a.npy").status_code
        == 201
    )
    data = save({"x": x + 1, "y": np.array([0, 1, 2], dtype=np.int64)})
    res = upload(stack, project["id"], key, data, domain="source", filename="b.safetensors")
    assert res.status_code == 201, res.text
    assert res.json()["pool"]["n_labeled"] == 3


def _bad_upload(
    stack: Stack, data: bytes, *, domain: str = "source", filename: str = "p.npz", existing: bool = False
) -> dict:
    project, key = make_project(stack)
    pid = project["id"]
    if existing:
        upload_pool(stack, pid, key, domain="source", n=6, prefix="dup-")
    before = _counts(stack, pid, key)
    res = upload(stack, pid, key, data, domain=domain, filename=filename)
    assert res.status_code == 400, res.text
    assert _counts(stack, pid, key) == before, "a refused upload must store nothing"
    return res.json()


def test_nan_is_refused(stack: Stack) -> None:
    arrays = tiny_arrays(5, 0, "n-")
    arrays["x"][2, 1] = np.nan
    body = _bad_upload(stack, npz_bytes(**arrays))
    assert body["error"] == "invalid_pool" and "NaN" in body["detail"]


def test_inf_is_refused(stack: Stack) -> None:
    arrays = tiny_arrays(5, 0, "i-")
    arrays["x"][0, 0] = np.inf
    assert "inf" in _bad_upload(stack, npz_bytes(**arrays))["detail"]


def test_shape_mismatch_is_refused(stack: Stack) -> None:
    arrays = tiny_arrays(5, 0, "s-")
    arrays["x"] = np.zeros((5, 3), dtype=np.float32)
    assert "input shape" in _bad_upload(stack, npz_bytes(**arrays))["detail"]


def test_label_out_of_range_is_refused(stack: Stack) -> None:
    arrays = tiny_arrays(5, 0, "l-")
    arrays["y"][3] = 7
    assert "outside the class range" in _bad_upload(stack, npz_bytes(**arrays))["detail"]


def test_duplicate_ids_within_upload_are_refused(stack: Stack) -> None:
    arrays = tiny_arrays(4, 0, "d-")
    arrays["ids"] = np.array(["a", "b", "a", "c"])
    assert "duplicate" in _bad_upload(stack, npz_bytes(**arrays))["detail"]


def test_duplicate_ids_against_pool_are_refused(stack: Stack) -> None:
    arrays = tiny_arrays(6, 1, "dup-")
    assert "already exist" in _bad_upload(stack, npz_bytes(**arrays), existing=True)["detail"]


def test_source_pool_without_labels_is_refused(stack: Stack) -> None:
    arrays = tiny_arrays(4, 0, "u-")
    arrays.pop("y")
    assert "labels" in _bad_upload(stack, npz_bytes(**arrays))["detail"]


def test_pickled_object_array_is_refused(stack: Stack) -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert _bad_upload(stack, buf.getvalue(), filename="x.npy")["error"] == "invalid_pool"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(name="image_project")
def _image_project(stack: Stack) -> tuple[int, dict[str, str]]:
    return image_project(stack)


def test_zip_with_class_folders(stack: Stack, image_project: tuple[int, dict[str, str]]) -> None:
    pid, key = image_project
    data = _zip({"cat/1.png": png_bytes(0), "cat/2.png": png_bytes(10), "dog/3.png": png_bytes(255)})
    res = upload(stack, pid, key, data, domain="source", filename="imgs.zip")
    assert res.status_code == 201, res.text
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    assert {(i["external_id"], i["label"]) for i in items} == {
        ("cat/1.png", 0),
        ("cat/2.png", 0),
        ("dog/3.png", 1),
    }


def test_zip_with_manifest(stack: Stack, image_project: tuple[int, dict[str, str]]) -> None:
    pid, key = image_project
    manifest = b"path,label,id\nimgs/a.png,dog,first\nimgs/b.png,cat,second\n"
    data = _zip({"manifest.csv": manifest, "imgs/a.png": png_bytes(1), "imgs/b.png": png_bytes(2)})
    res = upload(stack, pid, key, data, domain="source", filename="m.zip")
    assert res.status_code == 201, res.text
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    assert {(i["external_id"], i["label"]) for i in items} == {("first", 1), ("second", 0)}


def test_unlabeled_image_zips_are_target_pools(
    stack: Stack, image_project: tuple[int, dict[str, str]]
) -> None:
    pid, key = image_project
    flat = _zip({"a.png": png_bytes(0), "more/b.png": png_bytes(9)})  # no class folders: unlabeled
    res = upload(stack, pid, key, flat, domain="target", filename="flat.zip")
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 0, res.text
    no_labels = _zip({"manifest.csv": b"path,id\nx.png,t-1\n", "x.png": png_bytes(3)})
    res = upload(stack, pid, key, no_labels, domain="target", filename="m.zip")
    assert res.status_code == 201, res.text
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    assert {(i["external_id"], i["label"]) for i in items} == {
        ("a.png", None),
        ("more/b.png", None),
        ("t-1", None),
    }
    # a mix of classed and unclassed images is refused, and so is an unlabeled source
    mixed = _zip({"cat/1.png": png_bytes(0), "2.png": png_bytes(1)})
    res = upload(stack, pid, key, mixed, domain="target", filename="mix.zip")
    assert res.status_code == 400 and "1 of 2 images have no class" in res.json()["detail"]
    res = upload(stack, pid, key, _zip({"c.png": png_bytes(0)}), domain="source", filename="s.zip")
    assert res.status_code == 400
    assert stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"] == 3


def test_image_pools_are_stored_as_uint8(stack: Stack, image_project: tuple[int, dict[str, str]]) -> None:
    from service.storage import get_store

    pid, key = image_project
    res = upload(
        stack,
        pid,
        key,
        _zip({f"cat/{i}.png": png_bytes(i) for i in range(5)}),
        domain="source",
        filename="u.zip",
    )
    assert res.status_code == 201, res.text
    stored = np.load(get_store().path(f"pools/{res.json()['pool']['id']}/x.npy"), allow_pickle=False)
    assert stored.dtype == np.uint8 and stored.nbytes == 5 * 1 * 4 * 4  # N*C*H*W bytes
    assert sorted(stored.reshape(5, -1)[:, 0].tolist()) == [0, 1, 2, 3, 4]
    x = np.random.default_rng(0).integers(0, 256, size=(3, 1, 4, 4), dtype=np.uint8)
    res = upload(stack, pid, key, npz_bytes(x=x, y=np.array([0, 1, 0])), domain="source")
    assert res.status_code == 201, res.text
    stored = np.load(get_store().path(f"pools/{res.json()['pool']['id']}/x.npy"), allow_pickle=False)
    assert stored.dtype == np.uint8 and np.array_equal(stored, x)


def test_zip_path_traversal_is_refused(stack: Stack, image_project: tuple[int, dict[str, str]]) -> None:
    pid, key = image_project
    data = _zip({"cat/1.png": png_bytes(0), "../evil/dog/2.png": png_bytes(1)})
    res = upload(stack, pid, key, data, domain="source", filename="bad.zip")
    assert res.status_code == 400 and "outside the archive root" in res.json()["detail"]
    assert stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"] == 0


def test_zip_bomb_is_refused(
    stack: Stack, image_project: tuple[int, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, key = image_project
    monkeypatch.setattr(stack.settings, "max_archive_bytes", 10_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cat/big.png", b"\0" * 1_000_000)
    res = upload(stack, pid, key, buf.getvalue(), domain="source", filename="bomb.zip")
    assert res.status_code == 400 and "expands beyond" in res.json()["detail"]


def test_upload_over_the_limit_is_413(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    project, key = make_project(stack)
    monkeypatch.setattr(stack.settings, "max_upload_bytes", 1000)
    res = upload(stack, project["id"], key, npz_bytes(**tiny_arrays(100, 0, "big-")), domain="source")
    assert res.status_code == 413 and res.json()["error"] == "payload_too_large"
    monkeypatch.undo()
    assert stack.client.get(f"/projects/{project['id']}/pools", headers=key).json() == []


def test_unknown_file_type_is_refused(stack: Stack) -> None:
    body = _bad_upload(stack, b"hello", filename="notes.txt")
    assert "unsupported file type" in body["detail"]
