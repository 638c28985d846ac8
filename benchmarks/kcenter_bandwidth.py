"""Goal 2: labelq's k-center (coreset) against the memory-bandwidth bound.

Each greedy step must read the whole N x D float32 feature matrix once (one distance per point to
the new centre), so K steps cannot take less than

    bound_time = K * N * D * 4 bytes / read_bandwidth.

Read bandwidth = bytes / time of torch.sum over a 1 GiB float32 tensor (all threads; median of 7).
Each repeat measures the bandwidth right before timing labelq's coreset on the goal-1 pool
(N = 50,000, D = 512, K = 1,000, 100 labeled initial centres), so both see the same machine load;
fraction = bound_time / actual_time per repeat, median over repeats. Goal: >= 0.5.

Diagnostics, in the same repeats: the same labelq call with torch.set_num_threads(1); plus the
bandwidth of the matrix-vector product at the heart of a step through torch.mv (MKL in the
project's torch) and through numpy (OpenBLAS, what labelq's CPU loop calls).

CLUE's floor, in the same repeats. Weighted k-means cannot beat its own arithmetic: K k-means++
seeding steps each read the pool once (K * N * D * 4 B / read bandwidth) and each of the
baseline's 20 Lloyd iterations (goal 1 runs scikit-learn with max_iter=20, tol=0) computes N x K
dot products of length D (2 * N * K * D flops / this machine's float32 GEMM rate, measured on the
same [4096 x 512] @ [512 x 1000] blocks labelq uses). fraction = floor / labelq CLUE time.

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

LLOYD_ITERATIONS = 20  # the baselines' max_iter in goal 1 (selection_vs_libraries.py)


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


def gemm_rate(h: np.ndarray, k: int, n: int = 5) -> float:
    """float32 flop/s of the blocked pool x centres product of a Lloyd assignment (numpy BLAS)."""
    centres = np.ascontiguousarray(h[:k])

    def one_pass():
        for r0 in range(0, len(h), 4096):
            h[r0 : r0 + 4096] @ centres.T

    return 2 * h.shape[0] * k * h.shape[1] / best_time(one_pass, n)


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
    coreset, clue = get_strategy("coreset").fn, get_strategy("clue").fn

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

    def run_clue():
        return clue(
            AcquisitionContext(unlabeled=PoolOutputs(z, h), generator=torch.Generator().manual_seed(0)), k
        )

    reps, single, clue_reps = [], [], []
    for rep in range(args.repeats):
        bw = read_bandwidth(big)
        bound = k * pass_bytes / bw
        actual, sel = common.timed(run_coreset)
        reps.append(
            {"bandwidth_gbs": bw / 1e9, "actual_s": actual, "bound_s": bound, "fraction": bound / actual}
        )
        actual1, sel1 = common.timed(one_thread)
        single.append({"actual_s": actual1, "fraction": bound / actual1})
        rate = gemm_rate(h_np, k)
        floor = bound + LLOYD_ITERATIONS * 2 * n * k * d / rate
        actual2, _ = common.timed(run_clue)
        clue_reps.append({"gemm_gflops": rate / 1e9, "floor_s": floor, "actual_s": actual2})
        common.log(
            f"[rep {rep + 1}] bw {bw / 1e9:.1f} GB/s, bound {bound:.2f} s, coreset {actual:.2f} s "
            f"({bound / actual:.2f}), 1 thread {actual1:.2f} s; GEMM {rate / 1e9:.0f} GFLOP/s, "
            f"CLUE floor {floor:.2f} s, CLUE {actual2:.2f} s"
        )
    same1 = float(np.mean(sel1.indices.numpy() == sel.indices.numpy()))

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
        "gemm_gflops": common.median([r["gemm_gflops"] for r in clue_reps]),
        "clue_floor_s": common.median([r["floor_s"] for r in clue_reps]),
        "labelq_clue_s": common.median([r["actual_s"] for r in clue_reps]),
        "clue_fraction": common.median([r["floor_s"] / r["actual_s"] for r in clue_reps]),
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
                "float32 GEMM rate ([4096 x 512] @ [512 x K] blocks, numpy BLAS, median)",
                f"{s['gemm_gflops']:.0f} GFLOP/s",
            ],
            [
                f"CLUE floor: K seeding passes + {LLOYD_ITERATIONS} Lloyd assignments at that rate",
                f"{s['clue_floor_s']:.2f} s",
            ],
            [
                "labelq CLUE, actual (median); fraction of the floor",
                f"{s['labelq_clue_s']:.2f} s; {s['clue_fraction']:.2f}",
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
            "clue": clue_reps,
            "code_at_start": code_at_start,
        },
        table,
    )


if __name__ == "__main__":
    main()
