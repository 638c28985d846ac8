"""Run every benchmark (about 20-30 minutes on 2 cores) and collect the reports.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...] [--update-readme]

Creates benchmarks/.venv-baselines (scikit-activeml, small-text, DISTIL + a CPU torch) on first use,
writes one report per benchmark into benchmarks/out/ (<name>.json and <name>.md) and all of them
together into out/REPORT.md. --update-readme also copies them into README.md's results section.
--quick: fewer repeats (a smoke test, not for quoting).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import common

BENCHMARKS = {  # name -> (script, full-run arguments, quick arguments)
    "selection_vs_libraries": ("selection_vs_libraries.py", ["--repeats", "3"], ["--repeats", "1"]),
    "kcenter_bandwidth": ("kcenter_bandwidth.py", ["--repeats", "5"], ["--repeats", "2"]),
    "scoring_throughput": ("scoring_throughput.py", ["--repeats", "7"], ["--repeats", "2"]),
    "memory_1m": ("memory_1m.py", [], []),
}
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def demote(markdown: str) -> str:
    """Every heading one level down (the per-benchmark reports go under README's results heading)."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


def main() -> None:
    in_project_venv = os.path.realpath(sys.prefix) == os.path.realpath(common.PROJECT_PYTHON.parent.parent)
    if not in_project_venv and common.PROJECT_PYTHON.exists():  # run with the project venv (torch, labelq)
        os.execv(str(common.PROJECT_PYTHON), [str(common.PROJECT_PYTHON), __file__, *sys.argv[1:]])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", nargs="+", choices=list(BENCHMARKS))
    ap.add_argument("--update-readme", action="store_true")
    ap.add_argument("--collect", action="store_true", help="run nothing: rebuild REPORT.md from out/*.md")
    args = ap.parse_args()

    t_start = time.perf_counter()
    durations: dict[str, float] = {}
    if not args.collect:
        run(args, durations)
    total = time.perf_counter() - t_start
    collect(args, durations, total)


def run(args: argparse.Namespace, durations: dict[str, float]) -> None:
    status = common.ensure_baseline_venv()
    common.log(f"baseline venv: {status}")
    common.ensure_pool()
    for name in args.only or BENCHMARKS:
        script, full, quick = BENCHMARKS[name]
        common.log(f"=== {name}")
        t0 = time.perf_counter()
        cmd = [str(common.PROJECT_PYTHON), str(common.BENCH_DIR / script), *(quick if args.quick else full)]
        proc = subprocess.run(cmd, cwd=str(common.REPO_DIR))
        durations[name] = time.perf_counter() - t0
        if proc.returncode != 0:
            common.log(f"!!! {name} failed with exit code {proc.returncode}")


def collect(args: argparse.Namespace, durations: dict[str, float], total: float) -> None:
    m = common.machine_info()
    timing = common.OUT_DIR / "durations.json"
    if durations:
        timing.write_text(json.dumps({"total_s": total, **durations, "quick": args.quick}))
    elif timing.exists():
        saved = json.loads(timing.read_text())
        total, args.quick = saved.pop("total_s"), saved.pop("quick")
        durations = saved
    each = ", ".join(f"{k} {v / 60:.1f} min" for k, v in durations.items())
    parts = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']} GiB, Python {m['python']}; "
        f"full run took {total / 60:.1f} min ({each})"
        + (" -- QUICK run, not for quoting" if args.quick else "")
    ]
    for name in BENCHMARKS:
        path = common.OUT_DIR / f"{name}.md"
        if path.exists():
            parts.append(demote(path.read_text().strip()))
    report = "\n\n".join(parts) + "\n"
    (common.OUT_DIR / "REPORT.md").write_text(report)
    common.log(f"wrote {common.OUT_DIR / 'REPORT.md'} ({total / 60:.1f} min)")
    if args.update_readme:
        readme = common.BENCH_DIR / "README.md"
        text = readme.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(head + BEGIN + "\n" + report + END + tail)
            common.log("README.md results section updated")


if __name__ == "__main__":
    main()
