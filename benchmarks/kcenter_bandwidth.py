"""Goal 2: labelq's k-center (coreset) against the memory-bandwidth bound.

Each greedy step must read the whole N x D float32 feature matrix once (one distance per point to
the new centre), so K steps cannot take less than

    bound_time = K * N * D * 4 bytes / read_bandwidth.

Read bandwidth = bytes / time of torch.sum over a 1 GiB float32 tensor (all threads; median of 7).
Each repeat measures the bandwidth right before timing labelq's coreset on the goal-1 pool
(N = 50,000, D = 512, K = 1,000, 100 labeled initial centres), so both see the same machine load;
fraction = bound_time / actual_time per repeat, median over repeats. Goal: >= 0.5.

Diagnostics, in the same repeats: the same labelq call with torch.set_num_threads(1), and a
prototype (not labelq code) of the greedy loop with every per-step op in numpy (the matvec, the
running minimum, the argmax); plus the bandwidth of the matrix-vector product at the heart of a
step through torch.mv (MKL in the project's torch) and through numpy (OpenBLAS).

    .venv/bin/python benchmarks/kcenter_bandwidth.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time

import common
import numpy as np
import torch

sys.path.insert(0, str(common.REPO_DIR))
from models.acquisition import AcquisitionContext, PoolOutputs, get_strategy  # noqa: E402


def best_time(fn, n: int) -> float:
    fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return common.median(samples)


def read_bandwidth(big: torch.Tensor, n: int = 7) -> float:
    return big.numel() * 4 / best_time(lambda: big.sum(), n)


def numpy_kcenter(h: np.ndarray, labeled: np.ndarray, k: int) -> np.ndarray:
    """Prototype of the proposed fix: the same greedy loop (same tie rule: first max) with every
    per-step op in numpy (OpenBLAS gemv, in-place element-wise, argmax), no torch op in the loop."""
    sq = np.einsum("ij,ij->i", h, h)
    lsq = np.einsum("ij,ij->i", labeled, labeled)
    min_d2 = np.maximum(sq[:, None] + lsq[None, :] - 2.0 * (h @ labeled.T), 0.0).min(axis=1)
    picks = np.empty(k, dtype=np.int64)
    for t in range(k):
        i = int(np.argmax(min_d2))
        picks[t] = i
        d2 = h @ h[i]
        d2 *= -2.0
        d2 += sq
        d2 += sq[i]
        np.maximum(d2, 0.0, out=d2)
        np.minimum(min_d2, d2, out=min_d2)
        min_d2[i] = -np.inf
    return picks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--k", type=int, default=common.K)
    args = ap.parse_args()

    code_at_start = common.code_version()
    pool = common.load_pool(common.ensure_pool())
    h_np, z_np, lab_np = pool["features"], pool["logits"], pool["labeled"]
    h, z, lab = torch.from_numpy(h_np), torch.from_numpy(z_np), torch.from_numpy(lab_np)
    n, d, k = h.shape[0], h.shape[1], args.k
    pass_bytes = n * d * 4
    big = torch.ones(256 * 2**20)  # 1 GiB of float32, touched
    coreset = get_strategy("coreset").fn

    def run_coreset():
        ctx = AcquisitionContext(
            unlabeled=PoolOutputs(z, h), generator=torch.Generator().manual_seed(0), labeled_features=lab
        )
        return coreset(ctx, k)

    coreset(  # warm-up
        AcquisitionContext(
            unlabeled=PoolOutputs(z[:300], h[:300]), generator=torch.Generator(), labeled_features=lab[:5]
        ),
        3,
    )
    threads = torch.get_num_threads()

    def one_thread():
        torch.set_num_threads(1)
        try:
            return run_coreset()
        finally:
            torch.set_num_threads(threads)

    reps, single, proto = [], [], []
    for rep in range(args.repeats):
        bw = read_bandwidth(big)
        bound = k * pass_bytes / bw
        actual, sel = common.timed(run_coreset)
        reps.append(
            {"bandwidth_gbs": bw / 1e9, "actual_s": actual, "bound_s": bound, "fraction": bound / actual}
        )
        actual1, sel1 = common.timed(one_thread)
        single.append({"actual_s": actual1, "fraction": bound / actual1})
        actual2, proto_picks = common.timed(lambda: numpy_kcenter(h_np, lab_np, k))
        proto.append({"actual_s": actual2, "fraction": bound / actual2})
        common.log(
            f"[rep {rep + 1}] bw {bw / 1e9:.1f} GB/s, bound {bound:.2f} s, coreset {actual:.2f} s "
            f"({bound / actual:.2f}), 1 thread {actual1:.2f} s, numpy prototype {actual2:.2f} s"
        )
    ours_picks = sel.indices.numpy()
    same = float(np.mean(proto_picks == ours_picks))
    same1 = float(np.mean(sel1.indices.numpy() == ours_picks))

    # diagnostics: bandwidth of one step's matvec by library
    v, v_np = h[7].clone(), h_np[7].copy()
    mv_torch = pass_bytes / best_time(lambda: torch.mv(h, v), 21)
    mv_numpy = pass_bytes / best_time(lambda: h_np @ v_np, 21)
    sum_pool = pass_bytes / best_time(lambda: h.sum(), 21)

    frac = common.median([r["fraction"] for r in reps])
    summary = {
        "bandwidth_gbs": common.median([r["bandwidth_gbs"] for r in reps]),
        "labelq_coreset_s": common.median([r["actual_s"] for r in reps]),
        "bound_s": common.median([r["bound_s"] for r in reps]),
        "fraction_median": frac,
        "fraction_per_repeat": [r["fraction"] for r in reps],
        "goal_0_5_met": bool(frac >= 0.5),
        "torch_mv_gbs": mv_torch / 1e9,
        "numpy_matvec_gbs": mv_numpy / 1e9,
        "torch_sum_pool_gbs": sum_pool / 1e9,
        "one_thread_s": common.median([r["actual_s"] for r in single]),
        "one_thread_fraction": common.median([r["fraction"] for r in single]),
        "one_thread_same_picks": same1,
        "numpy_prototype_s": common.median([r["actual_s"] for r in proto]),
        "numpy_prototype_fraction": common.median([r["fraction"] for r in proto]),
        "numpy_prototype_same_picks": same,
    }
    s = summary
    table = common.markdown_table(
        ["quantity", "value"],
        [
            ["read bandwidth (torch.sum, 1 GiB float32, median)", f"{s['bandwidth_gbs']:.1f} GB/s"],
            [f"bound: K*N*D*4 B / bandwidth (K={k}, N={n}, D={d})", f"{s['bound_s']:.2f} s"],
            [
                "labelq coreset, actual (median)",
                f"{s['labelq_coreset_s']:.2f} s ({s['labelq_coreset_s'] / k * 1e3:.1f} ms/step)",
            ],
            [
                "**fraction of bound reached (bound / actual)**",
                f"**{frac:.2f}** (goal >= 0.5: {'met' if s['goal_0_5_met'] else 'MISSED'}); per repeat "
                + ", ".join(f"{f:.2f}" for f in s["fraction_per_repeat"]),
            ],
            [
                "diag: the same labelq call under torch.set_num_threads(1)",
                f"{s['one_thread_s']:.2f} s, fraction {s['one_thread_fraction']:.2f}, "
                f"same picks: {same1:.0%}",
            ],
            [
                "prototype: every per-step op in numpy (not labelq code)",
                f"{s['numpy_prototype_s']:.2f} s, fraction {s['numpy_prototype_fraction']:.2f}, "
                f"same picks as labelq: {same:.0%}",
            ],
            ["diag: torch.mv over the pool (MKL sgemv; one step's core)", f"{s['torch_mv_gbs']:.1f} GB/s"],
            ["diag: numpy h @ v over the pool (OpenBLAS)", f"{s['numpy_matvec_gbs']:.1f} GB/s"],
            ["diag: torch.sum over the pool (100 MB)", f"{s['torch_sum_pool_gbs']:.1f} GB/s"],
        ],
    )
    common.write_report(
        "kcenter_bandwidth",
        "Goal 2: k-center vs the memory-bandwidth bound",
        {
            "summary": summary,
            "repeats": reps,
            "one_thread": single,
            "prototype": proto,
            "code_at_start": code_at_start,
        },
        table,
    )


if __name__ == "__main__":
    main()
