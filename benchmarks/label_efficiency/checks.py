"""The checks in REPORT.md, one markdown bullet each: the papers' orderings (EADA > BADGE >
random, GH and GH++ > DANN, FORGE > random) on this run's numbers, and the determinism checks
(the same run in two jobs, on two servers or with a shorter schedule, must give the same curves)."""

from __future__ import annotations

from typing import Any

from experiments import DA_OBJECTIVES, _exp_order
from stats import at_round, collect_runs
from tables import _name


def ordering_checks(key: str, dres: dict[str, Any]) -> list[str]:
    """The papers' orderings, checked on this dataset's numbers."""
    out = []
    grid = collect_runs(dres, "grid")
    R, S = dres["rounds"], dres["short_rounds"] or dres["rounds"]

    def m(k: str, r: int, what: str = "final") -> float:
        return at_round(grid[k], r)[what][0] if k in grid else float("nan")

    if {"eada+eada", "badge+ce", "random+ce"} <= set(grid):
        e, b, r = m("eada+eada", S), m("badge+ce", S), m("random+ce", S)
        holds = e > b > r
        out.append(
            f"- EADA > BADGE > random (final accuracy at {S} rounds, the EADA paper's 5 × 1 % protocol): "
            f"{100 * e:.1f} / {100 * b:.1f} / {100 * r:.1f} -> **{'holds' if holds else 'does not hold'}**"
        )
        e, b, r = m("eada+eada", R, "auc"), m("badge+ce", R, "auc"), m("random+ce", R, "auc")
        out.append(
            f"- same ordering by {R}-round AUC: {100 * e:.1f} / {100 * b:.1f} / {100 * r:.1f} -> "
            f"**{'holds' if e > b > r else 'does not hold'}**"
        )
    da = collect_runs(dres, "da")
    best = dres.get("best_ce_strategy")
    if best and da:
        vals = {o: at_round(da[f"{best}+{o}"], R) for o in DA_OBJECTIVES if f"{best}+{o}" in da}
        txt = ", ".join(
            f"{o} {100 * v['final'][0]:.1f} (AUC {100 * v['auc'][0]:.1f})" for o, v in vals.items()
        )
        out.append(f"- GH and GH++ > DANN (with {best}, {R} rounds): {txt}")
        for o in ("gh", "ghpp"):
            if o in vals and "dann" in vals:
                fin = vals[o]["final"][0] > vals["dann"]["final"][0]
                au = vals[o]["auc"][0] > vals["dann"]["auc"][0]
                out.append(
                    f"  - {o} > dann: final accuracy **{'holds' if fin else 'does not hold'}**, "
                    f"AUC **{'holds' if au else 'does not hold'}** "
                    f"({100 * (vals[o]['auc'][0] - vals['dann']['auc'][0]):+.1f} AUC points)"
                )
        if "ce" in vals:
            dann_help = vals["dann"]["auc"][0] > vals["ce"]["auc"][0]
            out.append(
                f"- does domain alignment help at all here? {best}+dann vs {best}+ce by AUC: "
                f"{100 * (vals['dann']['auc'][0] - vals['ce']['auc'][0]):+.1f} points -> "
                f"**{'yes' if dann_help else 'no'}**"
            )
    for n, res in sorted(dres["experiments"].items(), key=lambda kv: _exp_order(kv[0])):
        if not n.startswith("single_"):
            continue
        runs = dict(zip(res["labels"], res["runs"], strict=True))
        f, r = at_round(runs["forge+ce"], 1)["final"][0], at_round(runs["random+ce"], 1)["final"][0]
        lab = runs["forge+ce"]["curve"]["labels"][1]
        out.append(
            f"- FORGE > random in one round of {lab} labels: {100 * f:.1f} vs {100 * r:.1f} -> "
            f"**{'holds' if f > r else 'does not hold'}**"
        )
    return out


def determinism_checks(dres: dict[str, Any]) -> list[str]:
    out = []
    grid = collect_runs(dres, "grid")
    for n, res in dres["experiments"].items():
        if not n.startswith("check_"):
            continue
        r = int(n.split("_")[1])
        for k, run in zip(res["labels"], res["runs"], strict=True):
            a = run["curve"]["per_seed"]
            b = [s[: r + 1] for s in grid[k]["curve"]["per_seed"]]
            diff = max(abs(x - y) for sa, sb in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=True))
            out.append(
                f"- {_name(k)}: a separate {r}-round simulation (job {res['job_id']}, "
                f"server {res['server']}) vs "
                f"the first {r} rounds of the {dres['rounds']}-round one (server "
                f"{_server_of(dres, 'grid', k)}): largest per-seed difference "
                f"{diff:.2e} -> **{'identical' if diff == 0 else 'DIFFERENT'}**"
            )
    da = collect_runs(dres, "da")
    best = dres.get("best_ce_strategy")
    if best and f"{best}+ce" in da and f"{best}+ce" in grid:
        a, b = da[f"{best}+ce"]["curve"]["per_seed"], grid[f"{best}+ce"]["curve"]["per_seed"]
        diff = max(abs(x - y) for sa, sb in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=True))
        sv = (_server_of(dres, "da", f"{best}+ce"), _server_of(dres, "grid", f"{best}+ce"))
        out.append(
            f"- {_name(best + '+ce')} run twice (grid job on server {sv[1]}, DA job on server {sv[0]}): "
            f"largest per-seed difference {diff:.2e} -> **{'identical' if diff == 0 else 'DIFFERENT'}**"
        )
    return out


def _server_of(dres: dict[str, Any], prefix: str, key: str) -> int:
    for n, res in dres["experiments"].items():
        if n.startswith(prefix) and key in res["labels"]:
            return res["server"]
    return -1
