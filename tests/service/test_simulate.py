"""Simulation mode through the API: hidden labels stay hidden, a simulation returns curves and a
plot and leaves labels, rounds, checkpoints and budget untouched; bad requests are refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from labelq_demo.sdk import connect
from labelq_demo.simulation import run_simulation
from service.db.engine import session_scope
from service.db.tables import Annotation, Checkpoint, Item, Round
from tests.service.conftest import Stack
from tests.service.factories import (
    make_project,
    npz_bytes,
    ready_project,
    tiny_arrays,
    upload_checkpoint,
    upload_pool,
    via_test_client,
)

PNG = b"\x89PNG\r\n\x1a\n"
N_HIDDEN = 24


def upload_hidden(stack: Stack, pid: int, key: dict[str, str], **form: str) -> Any:
    arrays = tiny_arrays(N_HIDDEN, 4, "t-")
    return stack.client.post(
        f"/projects/{pid}/pools",
        headers=key,
        files={"file": ("hidden.npz", npz_bytes(**arrays))},
        data={"domain": "target", "split": "train", "wait_seconds": "30", "hidden_labels": "true", **form},
    )


def simulation_project(stack: Stack, *, checkpoint: bool = True) -> tuple[int, dict[str, str]]:
    project, key = make_project(stack, budget=10)
    pid = project["id"]
    upload_pool(stack, pid, key, domain="source", n=30, seed=1)
    res = upload_hidden(stack, pid, key)
    assert res.status_code == 201, res.text
    upload_pool(stack, pid, key, domain="target", split="eval", n=9, seed=3)
    if checkpoint:
        assert upload_checkpoint(stack, pid, key).status_code == 201
    return pid, key


def simulate(stack: Stack, pid: int, key: dict[str, str], **extra: Any) -> Any:
    body = {
        "runs": [{"strategy": "entropy"}, {"strategy": "random", "objective": "ce"}],
        "rounds": 2,
        "per_round": 3,
        "seeds": [0, 1],
        "epochs": 1,
        "batch_size": 8,
        "lr": 0.05,
        "wait_seconds": 60,
        **extra,
    }
    return stack.client.post(f"/projects/{pid}/simulate", json=body, headers=key)


def test_hidden_labels_are_stored_but_never_served(stack: Stack) -> None:
    project, key = make_project(stack)
    pid = project["id"]
    res = upload_hidden(stack, pid, key)
    assert res.status_code == 201, res.text
    pool = res.json()["pool"]
    assert (pool["n_items"], pool["n_labeled"], pool["labels_hidden"]) == (N_HIDDEN, 0, True)
    page = stack.client.get(f"/projects/{pid}/items", headers=key, params={"limit": 100})
    assert page.status_code == 200
    items = page.json()["items"]
    assert len(items) == N_HIDDEN
    assert all(i["label"] is None and i["label_source"] is None for i in items)
    assert all("hidden" not in k for i in items for k in i) and "hidden" not in page.text
    labeled = stack.client.get(f"/projects/{pid}/items", headers=key, params={"labeled": "true"})
    assert labeled.json()["total"] == 0
    with session_scope() as s:
        stored = s.execute(
            select(Item.hidden_label).where(Item.project_id == pid).order_by(Item.id)
        ).scalars()
        assert list(stored) == (np.arange(N_HIDDEN) % 3).tolist()


def test_hidden_labels_only_for_target_train_with_y(stack: Stack) -> None:
    project, key = make_project(stack)
    pid = project["id"]
    arrays = tiny_arrays(6, 0, "h-")
    for domain, split in (("source", "train"), ("target", "eval")):
        res = stack.client.post(
            f"/projects/{pid}/pools",
            headers=key,
            files={"file": ("p.npz", npz_bytes(**arrays))},
            data={"domain": domain, "split": split, "hidden_labels": "true"},
        )
        assert res.status_code == 400 and "target/train" in res.json()["detail"], res.text
    no_y = {k: v for k, v in arrays.items() if k != "y"}
    res = stack.client.post(
        f"/projects/{pid}/pools",
        headers=key,
        files={"file": ("p.npz", npz_bytes(**no_y))},
        data={"domain": "target", "split": "train", "hidden_labels": "true", "wait_seconds": "30"},
    )
    assert res.status_code == 400 and "'y'" in res.json()["detail"], res.text
    assert stack.client.get(f"/projects/{pid}/pools", headers=key).json() == []


def test_simulation_returns_curves_and_a_plot_and_changes_nothing(stack: Stack) -> None:
    pid, key = simulation_project(stack)
    res = simulate(stack, pid, key)
    assert res.status_code == 200, res.text
    body = res.json()
    job, result = body["job"], body["result"]
    assert job["status"] == "succeeded" and job["kind"] == "simulate", job
    assert job["progress"] == 1.0
    assert result["schedule"] == [3, 3] and result["seeds"] == [0, 1]
    assert (result["pool_size"], result["eval_items"]) == (N_HIDDEN, 9)
    assert [(r["strategy"], r["objective"]) for r in result["runs"]] == [("entropy", "ce"), ("random", "ce")]
    project_classes = stack.client.get(f"/projects/{pid}", headers=key).json()["classes"]
    for run in result["runs"]:
        curve = run["curve"]
        assert curve["labels"] == [0, 3, 6]
        assert len(curve["mean"]) == len(curve["std"]) == 3
        assert len(curve["per_seed"]) == 2 and all(len(c) == 3 for c in curve["per_seed"])
        assert all(0.0 <= a <= 1.0 for c in curve["per_seed"] for a in c)
        assert 0.0 <= run["auc"] <= 1.0 and run["auc_std"] >= 0.0
        assert run["final_accuracy"] == curve["mean"][-1]
        counts = run["class_counts"]  # [seed][round][class]: what each round bought
        assert [[sum(r) for r in seed] for seed in counts] == [[3, 3], [3, 3]]
        assert all(len(r) == len(project_classes) and min(r) >= 0 for seed in counts for r in seed)
    # every run starts from the same network: round 0 is the same for all runs and seeds
    assert len({a for r in result["runs"] for a in (c[0] for c in r["curve"]["per_seed"])}) == 1

    plot = stack.client.get(result["plot_url"], headers=key)
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content.startswith(PNG)
    again = stack.client.get(f"/simulations/{job['id']}", headers=key).json()
    assert again["result"] == result

    project = stack.client.get(f"/projects/{pid}", headers=key).json()
    assert (project["budget_spent"], project["budget_left"]) == (0, 10)
    with session_scope() as s:
        for table in (Round, Annotation):
            assert s.execute(select(func.count()).where(table.project_id == pid)).scalar_one() == 0
        assert s.execute(select(func.count()).where(Checkpoint.project_id == pid)).scalar_one() == 1
        labeled = s.execute(
            select(func.count()).where(
                Item.project_id == pid,
                Item.domain == "target",
                Item.split == "train",
                Item.label.is_not(None),
            )
        ).scalar_one()
        assert labeled == 0


def test_cli_simulation_over_http(stack: Stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pid, key = simulation_project(stack)
    lines: list[str] = []
    out = tmp_path / "curve.png"
    client = connect("http://testserver", key["Authorization"].split()[1], transport=via_test_client(stack))
    with client:
        answer = run_simulation(
            client,
            pid,
            strategies=["margin"],
            objective="ce",
            params={},
            objective_params={},
            schedule=[2, 4],
            seeds=[0],
            epochs=1,
            batch_size=8,
            lr=0.05,
            checkpoint_id=None,
            out_path=str(out),
            progress=False,
            timeout=60,
            out=lines.append,
        )
    assert answer["result"]["runs"][0]["curve"]["labels"] == [0, 2, 6]
    assert out.read_bytes().startswith(PNG)
    table = "\n".join(lines)
    assert "margin" in table and "±" in table and f"plot saved to {out}" in table


def test_bad_simulation_requests_are_422(stack: Stack) -> None:
    pid, key = simulation_project(stack, checkpoint=False)
    bad = (
        {"runs": [{"strategy": "nope"}]},
        {"runs": [{"strategy": "eada", "params": {"alpha9": 1}}]},
        {"runs": [{"strategy": "entropy", "objective": "nope"}]},
        {"runs": [{"strategy": "entropy", "objective": "ce", "objective_params": {"gamma": 1}}]},
        {"runs": [{"strategy": "entropy", "objective_params": {"gamma": 1}}]},  # the default, ce
        {"runs": []},
        {"schedule": [3, 0], "rounds": None, "per_round": None},
        {"schedule": [3], "rounds": 2},
        {"rounds": None},
        {"seeds": [1, 1]},
    )
    for body in bad:
        res = simulate(stack, pid, key, **body)
        assert res.status_code == 422, (body, res.text)


def test_simulation_needs_hidden_labels_a_checkpoint_and_a_large_enough_pool(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)  # an ordinary unlabeled target pool: nothing to simulate
    res = simulate(stack, pid, key)
    assert res.status_code == 409 and "hidden labels" in res.json()["detail"], res.text
    pid, key = simulation_project(stack, checkpoint=False)
    res = simulate(stack, pid, key)
    assert res.status_code == 409 and "checkpoint" in res.json()["detail"], res.text
    assert upload_checkpoint(stack, pid, key).status_code == 201
    res = simulate(stack, pid, key, rounds=None, per_round=None, schedule=[20, 5])
    assert res.status_code == 409 and f"only {N_HIDDEN}" in res.json()["detail"], res.text


def test_plot_of_other_jobs_is_404(stack: Stack) -> None:
    project, key = make_project(stack)
    res = upload_hidden(stack, project["id"], key)
    job_id = res.json()["job"]["id"]
    assert stack.client.get(f"/simulations/{job_id}/plot.png", headers=key).status_code == 404
    assert stack.client.get("/simulations/987654/plot.png", headers=stack.admin).status_code == 404


def test_simulation_reports_kappa_estimates_and_what_stopping_would_save(stack: Stack) -> None:
    pid, key = simulation_project(stack)
    res = simulate(stack, pid, key, runs=[{"strategy": "random"}], rounds=4, per_round=2, epochs=1, lr=1e-9)
    assert res.status_code == 200, res.text
    run = res.json()["result"]["runs"][0]
    free, accuracy = run["label_free"], run["curve"]["per_seed"]
    # lr 1e-9: the network does not move, so every round agrees with the last and stopping
    # after the third retraining (window 3 of kappa 1.0) saves the fourth round's labels
    assert free["kappa"] == [[None, 1.0, 1.0, 1.0, 1.0]] * 2
    assert free["stopping"] == [
        {"stop_round": 3, "labels_at_stop": 6, "labels_saved": 2, "accuracy_given_up": a[4] - a[3]}
        for a in accuracy
    ]
    gaps = [
        abs(e - a)
        for est, acc in zip(free["atc"], accuracy, strict=True)
        for e, a in zip(est, acc, strict=True)
    ]
    assert free["atc_error"] == pytest.approx(sum(gaps) / len(gaps))
    assert all(0.0 <= e <= 1.0 for est in free["atc"] + free["average_confidence"] for e in est)
