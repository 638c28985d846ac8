"""Helpers shared by the benchmark scripts (numpy only: also imported inside the baseline venv).

Nothing here imports torch or labelq, so ``baselines/run_baseline.py`` can use it with the
baseline venv's python.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
DATA_DIR = OUT_DIR / "data"
BASELINE_VENV = BENCH_DIR / ".venv-baselines"
BASELINE_PYTHON = BASELINE_VENV / "bin" / "python"
PROJECT_PYTHON = REPO_DIR / ".venv" / "bin" / "python"

# The selection problem of goal 1 (from the issue).
N, D, C, K = 50_000, 512, 10, 1_000
N_LABELED = 100  # CoreSet's initial centres (labeled features), kept outside the pool
SEED = 20240611
POOL_ARRAYS = ("features", "logits", "labeled")


# ---------------------------------------------------------------------------- data


def make_pool(n: int, d: int, c: int, seed: int, n_labeled: int = 0) -> dict[str, np.ndarray]:
    """A synthetic pool that looks like a trained net's outputs, float32.

    features [n, d]: ReLU of class centre + noise (non-negative, clustered by class, like a
    penultimate layer); logits [n, c]: a linear head on them, scaled so that the predictions range
    from confident to uncertain; labeled [n_labeled, d]: more features from the same distribution.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.0, size=(c, d)).astype(np.float32)

    def feats(m: int) -> np.ndarray:
        y = rng.integers(0, c, size=m)
        h = centres[y] + rng.normal(0.0, 1.5, size=(m, d)).astype(np.float32)
        return np.maximum(h, 0.0, out=h)

    h = feats(n)
    w = (centres.T / np.sqrt(d)).astype(np.float32) * 0.3  # [d, c]: median max-probability ~0.77
    logits = h @ w
    logits -= logits.mean(axis=1, keepdims=True)
    return {
        "features": np.ascontiguousarray(h, dtype=np.float32),
        "logits": np.ascontiguousarray(logits, dtype=np.float32),
        "labeled": np.ascontiguousarray(feats(n_labeled), dtype=np.float32),
    }


def pool_dir(n: int, d: int, c: int, seed: int) -> Path:
    return DATA_DIR / f"pool_N{n}_D{d}_C{c}_seed{seed}"


def ensure_pool(n: int = N, d: int = D, c: int = C, seed: int = SEED, n_labeled: int = N_LABELED) -> Path:
    """Write the pool's arrays as .npy files once (seeded) and return their folder."""
    folder = pool_dir(n, d, c, seed)
    names = POOL_ARRAYS
    if all((folder / f"{name}.npy").exists() for name in names):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    arrays = make_pool(n, d, c, seed, n_labeled)
    for name in names:
        np.save(folder / f"{name}.npy", arrays[name])
    return folder


def load_pool(folder: Path | str) -> dict[str, np.ndarray]:
    folder = Path(folder)
    return {name: np.load(folder / f"{name}.npy") for name in POOL_ARRAYS}


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def badge_matrix(logits: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Explicit BADGE gradient embedding (p - e_yhat) (x) h, [N, C*D] float32, class-major blocks
    (the layout of DISTIL's get_grad_embedding with bias_grad=False)."""
    p = softmax(logits.astype(np.float64))
    p[np.arange(len(p)), p.argmax(axis=1)] -= 1.0
    return (p.astype(np.float32)[:, :, None] * features[:, None, :]).reshape(len(p), -1)


def forge_matrix(logits: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Explicit FORGE embedding sqrt(C) * u (x) h with u = (p - e_yhat)/||p - e_yhat||, [N, C*D]."""
    p = softmax(logits.astype(np.float64))
    p[np.arange(len(p)), p.argmax(axis=1)] -= 1.0
    u = p / np.linalg.norm(p, axis=1, keepdims=True) * np.sqrt(p.shape[1])
    return (u.astype(np.float32)[:, :, None] * features[:, None, :]).reshape(len(p), -1)


# ---------------------------------------------------------------------------- timing


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


def read_status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM, ...)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs). False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------- reports


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            mem_gib = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "labelq_code": code_version(),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gib": mem_gib,
        "python": platform.python_version(),
    }


def code_version() -> str:
    """The last commit that changed models/ (the measured code), '+modified' if the work tree's
    models/ differs from HEAD (read-only git; commits elsewhere in the repo do not matter)."""
    try:
        last = subprocess.run(
            ["git", "-C", str(REPO_DIR), "log", "-1", "--format=%h", "--", "models"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "models"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"models/ at {last}" + (" +uncommitted changes" if dirty else "")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            if v != v:  # NaN
                return "n/a"
            return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(name: str, title: str, payload: dict[str, Any], markdown: str) -> Path:
    """Write out/<name>.json and out/<name>.md; print the markdown."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine_info(), **payload}
    (OUT_DIR / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str))
    m = payload["machine"]
    started = payload.get("code_at_start")
    changed = (
        f" (**measured code changed during the run**: started with {started})"
        if started and started != m["labelq_code"]
        else ""
    )
    header = (
        f"## {title}\n\n{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']} GiB; "
        f"labelq {m['labelq_code']}{changed}\n\n"
    )
    path = OUT_DIR / f"{name}.md"
    path.write_text(header + markdown + "\n")
    print(header + markdown, flush=True)
    return path


def run_json(cmd: Sequence[str], timeout: float | None = None) -> dict[str, Any]:
    """Run a child that prints one JSON object as its last stdout line; return it."""
    proc = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd=str(REPO_DIR)
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    last = [line for line in proc.stdout.splitlines() if line.strip()][-1]
    return json.loads(last)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- baseline venv

BASELINE_PACKAGES = {  # library -> pinned PyPI requirement (the newest on PyPI when written)
    "skactiveml": "scikit-activeml==1.0.1",
    "small-text": "small-text==1.4.1",
    "distil": "decile-distil==0.2.0",
}
_MARKER = BASELINE_VENV / "installed.json"


def ensure_baseline_venv() -> dict[str, Any]:
    """Create benchmarks/.venv-baselines with the three libraries if missing; never touches the
    project venv. Returns {library: "ok" | "failed: <reason>"} (also kept in installed.json)."""
    if _MARKER.exists() and BASELINE_PYTHON.exists():
        return json.loads(_MARKER.read_text())
    log(f"creating {BASELINE_VENV} (one-off, a few minutes)")
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(BASELINE_VENV)], check=True)
    pip = [str(BASELINE_PYTHON), "-m", "pip", "install", "-q"]
    status: dict[str, Any] = {}
    # torch: DISTIL imports it, small-text's BADGE lives in its pytorch integration. A CPU wheel in
    # pip's find-links folder is preferred (PyPI only has the large CUDA builds for Linux).
    cpu_wheels = (
        sorted(Path("/opt/wheels").glob("torch-*+cpu-cp3*.whl")) if Path("/opt/wheels").is_dir() else []
    )
    torch_req = str(cpu_wheels[-1]) if cpu_wheels else "torch"
    status["torch"] = _pip(pip + [torch_req])
    for lib, req in BASELINE_PACKAGES.items():
        status[lib] = _pip(pip + [req])
    _MARKER.write_text(json.dumps(status, indent=2))
    return status


def _pip(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 0:
        return "ok"
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line or "error" in line]
    return "failed: " + (" | ".join(errors[-3:]) or proc.stderr[-500:]).strip()
