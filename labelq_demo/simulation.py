"""The client side of simulation mode: start a simulation through the generated SDK, follow it,
print its table, save its plot. Used by ``labelq simulate``; torch-free.
"""

from __future__ import annotations

import sys
from typing import Any

from labelq_client import AuthenticatedClient
from labelq_client.api.simulation import get_simulation, get_simulation_plot, simulate_project
from labelq_client.models import JobOut, SimulateIn
from labelq_demo.sdk import call, wait_job


def run_simulation(
    client: AuthenticatedClient,
    project_id: int,
    *,
    strategies: list[str],
    objective: str | None,
    params: dict[str, dict[str, Any]],
    objective_params: dict[str, Any],
    schedule: list[int],
    seeds: list[int],
    epochs: int,
    batch_size: int,
    lr: float,
    checkpoint_id: int | None,
    out_path: str | None,
    progress: bool = True,
    timeout: float | None = None,
    out: Any = print,
) -> dict[str, Any]:
    """Start a simulation through ``client`` (a project's or the admin key), follow it with a
    progress bar, print the comparison table and save the plot. Returns ``{"job", "result"}``."""
    runs = [
        {
            "strategy": name,
            "params": params.get(name, {}),
            "objective": objective,
            "objective_params": objective_params,
        }
        for name in strategies
    ]
    body = {
        "runs": runs,
        "schedule": schedule,
        "rounds": None,
        "per_round": None,
        "seeds": seeds,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "checkpoint_id": checkpoint_id,
    }
    answer = call(simulate_project.sync_detailed, project_id, client=client, body=SimulateIn.from_dict(body))
    job_id = answer.job.id
    out(f"simulation job {job_id}: {len(runs)} runs x {len(seeds)} seeds, schedule {schedule}")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=1000, bar_format="{l_bar}{bar}| {elapsed}<{remaining}", file=sys.stderr)

    def on_progress(job: JobOut) -> None:
        if bar is not None:
            bar.n = int(round(1000 * float(job.progress or 0.0)))
            bar.set_description_str(str(job.message or job.status)[:60])
            bar.refresh()

    try:
        wait_job(client, job_id, on_progress, timeout=timeout)
    finally:
        if bar is not None:
            bar.close()
    done: dict[str, Any] = call(get_simulation.sync_detailed, job_id, client=client).to_dict()
    out(simulation_table(done["result"]))
    if out_path:
        plot = call(get_simulation_plot.sync_detailed, job_id, client=client)
        with open(out_path, "wb") as fh:
            fh.write(plot.payload.read())
        out(f"plot saved to {out_path}")
    return done


def simulation_table(result: dict[str, Any]) -> str:
    """One row per run: strategy, objective, AUC mean ± std, final accuracy mean ± std."""
    header = f"{'strategy':<20}{'objective':<11}{'AUC (mean ± std)':>20}{'final accuracy':>22}"
    lines = [header, "-" * len(header)]
    for run in result["runs"]:
        auc = f"{run['auc']:.4f} ± {run['auc_std']:.4f}"
        final = f"{run['final_accuracy']:.4f} ± {run['final_accuracy_std']:.4f}"
        lines.append(f"{run['strategy']:<20}{run['objective']:<11}{auc:>20}{final:>22}")
    labels = result["runs"][0]["curve"]["labels"] if result["runs"] else []
    lines.append(f"labels bought per round: {labels}; AUC = trapezoid area / label range")
    return "\n".join(lines)


def int_list(text: str, flag: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SystemExit(f"labelq simulate: {flag} takes comma-separated integers, got {text!r}") from None
