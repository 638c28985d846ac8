"""The tables of REPORT.md (markdown lines): the multi-round grid, the single round, the toy
example; and their formatting helpers (method names, "mean ± std" in %, per-seed wins, the
"beats random?" verdict)."""

from __future__ import annotations

from typing import Any

from stats import at_round, mean_std

STRATEGY_NAMES = {
    "badge": "BADGE",
    "coreset": "CoreSet",
    "expected_gradnorm": "expected-gradnorm",
    "eada": "EADA",
    "cod": "COD",
    "forge": "FORGE",
}
# the EADA paper's Fig. 5: target error % on its toy example
TOY_PAPER_ERROR = {"source-only": 52.0, "random+ce": 8.5, "badge+ce": 4.2, "eada+eada": 1.0}


def _name(key: str) -> str:
    """'badge+dann' -> 'BADGE + dann'; the EADA strategy with plain ce is spelled out."""
    strategy, objective = key.split("+")
    if key == "eada+ce":
        return "EADA strategy + ce"
    return f"{STRATEGY_NAMES.get(strategy, strategy)} + {objective}"


def _pct(ms: tuple[float, float]) -> str:
    return f"{100 * ms[0]:.1f} ± {100 * ms[1]:.1f}"


def _wins(a: list[float], b: list[float]) -> str:
    """Per seed (same seed = same start network and seed streams): how often a > b."""
    w = sum(x > y + 1e-12 for x, y in zip(a, b, strict=True))
    t = sum(abs(x - y) <= 1e-12 for x, y in zip(a, b, strict=True))
    return f"{w}/{len(a)}" + (f" ({t} tie)" if t else "")


def verdict(delta: float, std_a: float, std_b: float) -> str:
    if delta > max(std_a, std_b):
        return "**yes**"
    if delta > 0:
        return "within spread"
    if delta > -max(std_a, std_b):
        return "no (within spread)"
    return "**no**"


def multi_round_table(dres: dict[str, Any], runs: dict[str, dict[str, Any]], keys: list[str]) -> list[str]:
    R, S = dres["rounds"], dres["short_rounds"]
    rnd = runs.get("random+ce")
    head = "| method | "
    rule = "|---|"
    if S:
        lab_s = runs[keys[0]]["curve"]["labels"][S]
        head += f"acc @ {S} rounds ({lab_s} labels) | AUC {S} rounds | "
        rule += "---|---|"
    lab_r = runs[keys[0]]["curve"]["labels"][R]
    head += f"acc @ {R} rounds ({lab_r} labels) | AUC {R} rounds | beats random? (AUC {R}r, seeds won) |"
    rule += "---|---|---|"
    lines = [head, rule]
    src = [s[0] for s in runs[keys[0]]["curve"]["per_seed"]]
    row = "| source only (round 0) | "
    if S:
        row += f"{_pct(mean_std(src))} | – | "
    lines.append(row + f"{_pct(mean_std(src))} | – | – |")
    for k in keys:
        if k not in runs:
            continue
        cells = [_name(k)]
        if S:
            a = at_round(runs[k], S)
            cells += [_pct(a["final"]), _pct(a["auc"])]
        b = at_round(runs[k], R)
        cells += [_pct(b["final"]), _pct(b["auc"])]
        if rnd is None or k == "random+ce":
            cells.append("–")
        else:
            r = at_round(rnd, R)
            d = b["auc"][0] - r["auc"][0]
            cells.append(
                f"{verdict(d, b['auc'][1], r['auc'][1])} ({100 * d:+.1f}, {_wins(b['aucs'], r['aucs'])})"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def single_round_table(dres: dict[str, Any]) -> list[str]:
    exps = {n: r for n, r in dres["experiments"].items() if n.startswith("single_")}
    if not exps:
        return []
    names = sorted(exps, key=lambda n: int(n.split("_")[1]))
    heads = []
    for n in names:
        lab = exps[n]["runs"][0]["curve"]["labels"][1]
        heads.append(f"acc after one round of {lab} labels | vs random (seeds won)")
    lines = ["| method | " + " | ".join(heads) + " |", "|---|" + "---|---|" * len(names)]
    for key in exps[names[0]]["labels"]:
        cells = [_name(key)]
        for n in names:
            runs = dict(zip(exps[n]["labels"], exps[n]["runs"], strict=True))
            a = at_round(runs[key], 1)
            cells.append(_pct(a["final"]))
            if key == "random+ce":
                cells.append("–")
            else:
                r = at_round(runs["random+ce"], 1)
                d = a["final"][0] - r["final"][0]
                cells.append(
                    f"{verdict(d, a['final'][1], r['final'][1])} "
                    f"({100 * d:+.1f}, {_wins(a['finals'], r['finals'])})"
                )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def toy_table(dres: dict[str, Any]) -> list[str]:
    res = dres["experiments"]["toy"]
    runs = dict(zip(res["labels"], res["runs"], strict=True))
    R = dres["rounds"]
    lines = [
        f"| method | target error % after {R} rounds (mean ± std) | per seed | paper (Fig. 5) |",
        "|---|---|---|---|",
    ]
    src = [1 - s[0] for s in runs["random+ce"]["curve"]["per_seed"]]
    m, s = mean_std(src)
    lines.append(
        f"| Source only | {100 * m:.1f} ± {100 * s:.1f} | {', '.join(f'{100 * v:.1f}' for v in src)} | "
        f"{TOY_PAPER_ERROR['source-only']:.1f} |"
    )
    for k in runs:
        errs = [1 - s[R] for s in runs[k]["curve"]["per_seed"]]
        m, s = mean_std(errs)
        paper = TOY_PAPER_ERROR.get(k)
        lines.append(
            f"| {_name(k)} | {100 * m:.1f} ± {100 * s:.1f} | {', '.join(f'{100 * v:.1f}' for v in errs)} | "
            f"{'' if paper is None else f'{paper:.1f}'} |"
        )
    return lines


def _balance(run: dict[str, Any], rounds: int) -> tuple[tuple[float, float], tuple[float, float], int]:
    """Over seeds: classes covered and the largest class's share among the items bought in rounds
    1..``rounds`` (from the API's class_counts), and the number of classes."""
    covered, top = [], []
    for per_round in run["class_counts"]:
        totals = [sum(c) for c in zip(*per_round[:rounds], strict=True)]
        covered.append(float(sum(1 for c in totals if c > 0)))
        top.append(max(totals) / max(sum(totals), 1))
    return mean_std(covered), mean_std(top), len(run["class_counts"][0][0])


def class_balance_table(dres: dict[str, Any], grid: dict[str, dict[str, Any]]) -> list[str]:
    """What the picks were: classes covered and the largest class's share, for the single rounds
    and for the first rounds of the grid with as many labels. Empty for runs without class_counts
    (results from before the API reported them)."""
    settings = []
    singles = {n: r for n, r in dres["experiments"].items() if n.startswith("single_")}
    for n, res in sorted(singles.items(), key=lambda kv: int(kv[0].split("_")[1])):
        runs = dict(zip(res["labels"], res["runs"], strict=True))
        settings.append((f"one round of {runs['random+ce']['curve']['labels'][1]} labels", runs, 1))
        rounds = int(n.split("_")[1])  # single_5: as many labels as 5 rounds of the grid
        if grid and rounds <= dres["rounds"]:
            settings.append((f"{rounds} rounds of {dres['per_round']} labels", grid, rounds))
    rows = []
    for label, runs, rounds in settings:
        for key, run in runs.items():
            if "class_counts" not in run:
                return []
            cov, top, n_classes = _balance(run, rounds)
            rows.append(
                f"| {_name(key)} | {label} | {cov[0]:.1f} ± {cov[1]:.1f} of {n_classes} | {_pct(top)} |"
            )
    if not rows:
        return []
    head = "| method | labels bought | classes covered | largest class share % |"
    return [head, "|---|---|---|---|", *rows]


def label_free_table(runs: dict[str, dict[str, Any]], keys: list[str]) -> list[str]:
    """Stopping advice and label-free accuracy per run (the API's ``label_free``): on how many
    seeds the advice said stop, the labels that saves and the accuracy it gives up against buying
    the whole schedule (mean over all seeds, 0 where it never stopped), and the mean absolute error
    of ATC and of the average confidence against the true eval accuracy."""
    rows = []
    for k in keys:
        free = runs.get(k, {}).get("label_free")
        if not free:
            continue
        stops = free["stopping"]
        stopped = [s for s in stops if s["stop_round"] is not None]
        saved = [float(s["labels_saved"] or 0) for s in stops]
        lost = [float(s["accuracy_given_up"] or 0.0) for s in stops]
        where = ", ".join(str(s["stop_round"]) for s in stopped) or "–"
        atc, ac = free["atc_error"], free["average_confidence_error"]
        rows.append(
            f"| {_name(k)} | {len(stopped)}/{len(stops)} (rounds {where}) | {mean_std(saved)[0]:.1f} | "
            f"{_pct(mean_std(lost))} | {'–' if atc is None else f'{100 * atc:.1f}'} | "
            f"{'–' if ac is None else f'{100 * ac:.1f}'} |"
        )
    if not rows:
        return []
    head = (
        "| method | advice said stop (seeds) | labels saved | accuracy given up, points | "
        "ATC error, points | avg-confidence error, points |"
    )
    return [head, "|---|---|---|---|---|---|", *rows]


def auto_table(dres: dict[str, Any], runs: dict[str, dict[str, Any]]) -> list[str]:
    """``auto`` against the strategies it mixes (the 10-round AUC): above the worst? within the
    seed spread of the best? And which arms it drew, over seeds and rounds."""
    auto = runs.get("auto+ce")
    if auto is None:
        return []
    R = dres["rounds"]
    arms = sorted({c["arm"] for seed in auto.get("choices", []) for c in seed if c})
    mixed = {a: at_round(runs[f"{a}+ce"], R)["auc"] for a in arms if f"{a}+ce" in runs}
    own = at_round(auto, R)["auc"]
    if not mixed:
        return []
    worst = min(mixed, key=lambda a: mixed[a][0])
    best = max(mixed, key=lambda a: mixed[a][0])
    spread = max(own[1], mixed[best][1])
    draws = [c["arm"] for seed in auto["choices"] for c in seed]
    counts = ", ".join(f"{a} {draws.count(a)}" for a in arms)
    return [
        f"| AUC {R}r | worst arm it mixes | best arm | above the worst? | within the best's spread? "
        "| arms drawn |",
        "|---|---|---|---|---|---|",
        f"| {_pct(own)} | {worst} {_pct(mixed[worst])} | {best} {_pct(mixed[best])} | "
        f"{'yes' if own[0] >= mixed[worst][0] else '**no**'} | "
        f"{'yes' if own[0] >= mixed[best][0] - spread else '**no**'} | {counts} |",
    ]
