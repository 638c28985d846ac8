"""Goal 3: scoring throughput against a bare forward loop, and full-network gradnorm cost.

Single-pass strategies. Baseline = a bare loop `with torch.no_grad(): for xb in x.split(256):
model(xb)` (eval mode) over the pool. labelq = `models.inference.predict(model, x, batch_size=256,
features=..., buffers=...)` as the worker calls it: the same forwards plus collecting the logits, and
the features only for strategies registered with needs_features=True, into memory an earlier pass
let go of (the worker's `OutputBuffers`, default 1,024 MB; the warm-up pass takes it first). Judged
(goal >= 0.9): the pass with full outputs, which is the scoring pass of coreset, badge, forge and
clue, whose selection (embedding included) is goal 1; and the pass followed by the whole strategy
for the scores entropy, margin, eada (`get_strategy(name).fn(ctx, 1000)`). Reported, not judged:
the pass followed by BADGE's gradient embedding and its norms (`badge_embedding(logits,
features).sqnorms()`), the first step of BADGE's selection, already inside goal 1's BADGE time.
Ratio = bare time / labelq time (= labelq throughput / bare throughput).

Full gradnorm. labelq = `get_strategy("expected_gradnorm").fn(ctx, 100, scope="full")` with
ctx.model and ctx.inputs (per-sample gradients by torch.func vmap; the pool outputs it also needs
are computed before the clock starts). Baselines, same loss (entropy of the softmax), eval mode:
(A) a per-sample loop of forward + backward with batch size 1 -- the goal's definition, goal:
gradnorm <= 3x (A); (B) batched forward + backward (256 per batch, one backward of the summed
loss) -- reported too, it is the cheapest possible pass but gives no per-sample gradients.

Networks: `build_network("lenet", num_classes=10)` and `build_network("mlp", input_shape=[1, 28,
28], num_classes=10)` (hidden [256]) on random 28x28 float32 inputs. Each repeat times the
variant next to a bare pass of its own (alternating which goes first); per-pair ratios, median over
repeats.

    .venv/bin/python benchmarks/scoring_throughput.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import sys
import time

import common
import torch

sys.path.insert(0, str(common.REPO_DIR))
from models.acquisition import AcquisitionContext, get_strategy  # noqa: E402
from models.acquisition.embeddings import badge_embedding  # noqa: E402
from models.buffers import OutputBuffers  # noqa: E402
from models.inference import predict  # noqa: E402
from models.networks import build_network  # noqa: E402

BATCH = 256
NETWORKS = {  # name -> (kwargs, pool size for throughput, pool size for gradnorm)
    "lenet": ({"num_classes": 10}, 10_000, 2_000),
    "mlp": ({"input_shape": [1, 28, 28], "num_classes": 10}, 200_000, 20_000),
}
# What each pipeline runs after the forward pass, and whether the worker keeps features for it
# (a strategy's registry flag needs_features; predict(features=False) otherwise, as in
# workers/scoring.py). "predict (full outputs)" is the pass every feature strategy gets.
SINGLE_PASS = ("predict (full outputs)", "entropy", "margin", "eada", "badge embedding")
JUDGED = SINGLE_PASS[:4]  # the badge embedding is the first step of BADGE's selection (goal 1)
BUFFERS = OutputBuffers(1024 << 20)  # as a worker's (LABELQ_OUTPUT_BUFFER_MB default)


def keeps_features(name: str) -> bool:
    return name in ("predict (full outputs)", "badge embedding") or get_strategy(name).needs_features


def clock(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def entropy_loss(model: torch.nn.Module, xb: torch.Tensor) -> torch.Tensor:
    logp = torch.log_softmax(model(xb)[0], dim=1)
    return -(logp.exp() * logp).sum()


def throughput(model: torch.nn.Module, x: torch.Tensor, repeats: int) -> dict:
    def bare():
        with torch.no_grad():
            for xb in x.split(BATCH):
                model(xb)

    def pipeline(name: str):
        out = predict(model, x, batch_size=BATCH, features=keeps_features(name), buffers=BUFFERS)
        if name == "badge embedding":
            badge_embedding(out.logits, out.features).sqnorms().sqrt()
        elif name in SINGLE_PASS[1:]:
            ctx = AcquisitionContext(
                unlabeled=out, generator=torch.Generator().manual_seed(0), n_total=len(x)
            )
            get_strategy(name).fn(ctx, 1000)

    bare()
    variants = SINGLE_PASS
    for name in variants:  # warm-up
        pipeline(name)
    # Each variant is timed next to its own bare pass (order alternating between repeats), so a
    # slow spell of this shared VM lands on both sides of a ratio instead of on one variant.
    bare_s: dict[str, list[float]] = {name: [] for name in variants}
    var_s: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(repeats):
        for name in variants:
            run = lambda name=name: pipeline(name)  # noqa: E731
            if rep % 2:
                var_s[name].append(clock(run))
                bare_s[name].append(clock(bare))
            else:
                bare_s[name].append(clock(bare))
                var_s[name].append(clock(run))
    return {
        "n": len(x),
        "bare_s": common.median([t for name in variants for t in bare_s[name]]),
        "variants": {
            name: {
                "s": common.median(var_s[name]),
                "ratio": common.median([b / v for b, v in zip(bare_s[name], var_s[name], strict=True)]),
                "ratio_per_repeat": [b / v for b, v in zip(bare_s[name], var_s[name], strict=True)],
            }
            for name in variants
        },
    }


def gradnorm_cost(model: torch.nn.Module, x: torch.Tensor, repeats: int) -> dict:
    ctx = AcquisitionContext(
        unlabeled=predict(model, x), generator=torch.Generator().manual_seed(0), model=model, inputs=x
    )
    strategy = get_strategy("expected_gradnorm").fn

    def per_sample_loop():
        for i in range(len(x)):
            model.zero_grad(set_to_none=True)
            entropy_loss(model, x[i : i + 1]).backward()

    def batched():
        for xb in x.split(BATCH):
            model.zero_grad(set_to_none=True)
            entropy_loss(model, xb).backward()

    def gradnorm():
        strategy(ctx, 100, scope="full")

    small = AcquisitionContext(
        unlabeled=predict(model, x[:64]), generator=torch.Generator(), model=model, inputs=x[:64]
    )
    strategy(small, 10, scope="full")  # warm-up (torch.func tracing)
    reps = []
    for _ in range(repeats):
        reps.append({"loop": clock(per_sample_loop), "batched": clock(batched), "gradnorm": clock(gradnorm)})
    model.zero_grad(set_to_none=True)
    return {
        "n": len(x),
        "loop_s": common.median([r["loop"] for r in reps]),
        "batched_s": common.median([r["batched"] for r in reps]),
        "gradnorm_s": common.median([r["gradnorm"] for r in reps]),
        "vs_loop": common.median([r["gradnorm"] / r["loop"] for r in reps]),
        "vs_batched": common.median([r["gradnorm"] / r["batched"] for r in reps]),
        "vs_loop_per_repeat": [r["gradnorm"] / r["loop"] for r in reps],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    code_at_start = common.code_version()
    torch.manual_seed(common.SEED)
    results = {}
    for net, (kwargs, n_pool, n_grad) in NETWORKS.items():
        model = build_network(net, **kwargs).eval()
        x = torch.rand(n_pool, 1, 28, 28)
        common.log(f"{net}: throughput on {n_pool} inputs")
        tp = throughput(model, x, args.repeats)
        common.log(f"{net}: full gradnorm on {n_grad} inputs")
        gn = gradnorm_cost(model, x[:n_grad].clone(), args.repeats)
        results[net] = {"throughput": tp, "gradnorm": gn}

    rows = []
    for net, r in results.items():
        tp = r["throughput"]
        rows.append(
            [
                net,
                f"bare model(x) loop (N={tp['n']:,})",
                f"{tp['bare_s']:.3f}",
                f"{tp['n'] / tp['bare_s']:,.0f}",
                "1.00",
                "",
            ]
        )
        for name, v in tp["variants"].items():
            ok = ("met" if v["ratio"] >= 0.9 else "**missed**") if name in JUDGED else "selection (goal 1)"
            label = name if name.startswith("predict") else f"predict + {name}"
            label += "" if keeps_features(name) else " (logits-only pass)"
            rows.append([net, label, f"{v['s']:.3f}", f"{tp['n'] / v['s']:,.0f}", f"{v['ratio']:.2f}", ok])
    table1 = common.markdown_table(
        [
            "network",
            "pipeline",
            "time (s, median)",
            "samples/s",
            "throughput vs bare (median)",
            "goal >= 0.9x",
        ],
        rows,
    )
    rows = []
    for net, r in results.items():
        g = r["gradnorm"]
        rows.append(
            [
                net,
                f"{g['n']:,}",
                f"{g['gradnorm_s']:.2f}",
                f"{g['loop_s']:.2f}",
                f"{g['batched_s']:.3f}",
                f"{g['vs_loop']:.2f}x",
                "met" if g["vs_loop"] <= 3 else "**missed**",
                f"{g['vs_batched']:.1f}x",
            ]
        )
    table2 = common.markdown_table(
        [
            "network",
            "pool",
            "gradnorm scope=full (s)",
            "(A) per-sample fwd+bwd loop, bs=1 (s)",
            "(B) batched fwd+bwd, bs=256 (s)",
            "gradnorm / (A)",
            "goal <= 3x (A)",
            "gradnorm / (B)",
        ],
        rows,
    )
    md = (
        "### Single-pass scoring throughput\n\n"
        + table1
        + "\n\n### scope=full gradnorm cost\n\n"
        + table2
        + f"\n\n- {args.repeats} repeats; torch threads {torch.get_num_threads()}; batch size {BATCH}."
    )
    summary = {
        "single_pass_min_ratio": min(
            v["ratio"]
            for r in results.values()
            for name, v in r["throughput"]["variants"].items()
            if name in JUDGED
        ),
        "badge_embedding_min_ratio": min(
            r["throughput"]["variants"]["badge embedding"]["ratio"] for r in results.values()
        ),
        "gradnorm_vs_loop_max": max(r["gradnorm"]["vs_loop"] for r in results.values()),
    }
    common.write_report(
        "scoring_throughput",
        "Goal 3: scoring throughput",
        {"summary": summary, "code_at_start": code_at_start, **results},
        md,
    )


if __name__ == "__main__":
    main()
