"""Training through the API, job progress, and tasks that run twice doing the work once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from service.db.engine import session_scope
from service.db.tables import Item, Job
from service.domain import labels
from service.errors import BudgetExhausted
from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, ready_project, tiny_arrays, upload


def _train(stack: Stack, pid: int, key: dict[str, str], **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {"objective": "ce", "epochs": 3, "batch_size": 8, "lr": 0.05, "wait_seconds": 60, **extra}
    res = stack.client.post(f"/projects/{pid}/train", json=body, headers=key)
    assert res.status_code in (200, 202), res.text
    return res.json()["job"]


def test_train_makes_a_new_version_with_metrics(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    job = _train(stack, pid, key)
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0
    result = job["result"]
    ckpt = stack.client.get(f"/checkpoints/{result['checkpoint_id']}", headers=key).json()
    assert (ckpt["version"], ckpt["parent_id"], ckpt["objective"], ckpt["status"]) == (
        2,
        ckpt_id,
        "ce",
        "ready",
    )
    assert len(ckpt["history"]) == 3 and ckpt["history"][-1]["loss"] < ckpt["history"][0]["loss"]
    metrics = ckpt["metrics"]
    assert 0.0 <= metrics["eval_accuracy"] <= 1.0 and metrics["eval_items"] == 9
    assert len(metrics["eval_per_class_accuracy"]) == 3 and "free_energy_gap" in metrics
    rows = stack.client.get(f"/projects/{pid}/metrics", headers=key).json()["checkpoints"]
    assert [r["version"] for r in rows] == [1, 2]


def test_train_from_scratch_needs_architecture(stack: Stack) -> None:
    project, key = make_project(stack)
    upload(stack, project["id"], key, npz_bytes(**tiny_arrays(12, 0, "s-")), domain="source")
    res = stack.client.post(f"/projects/{project['id']}/train", json={"objective": "ce"}, headers=key)
    assert res.status_code == 409 and "architecture" in res.json()["detail"]
    job = _train(stack, project["id"], key, architecture="mlp", arch_args={"hidden": [8]})
    assert job["status"] == "succeeded", job
    assert job["result"]["version"] == 1


def test_bad_train_params_are_422(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    for body in (
        {"objective": "nope"},
        {"objective": "ce", "params": {"gamma": 1}},
        {"epochs": 0},
        {"architecture": "vgg99"},
    ):
        assert stack.client.post(f"/projects/{pid}/train", json=body, headers=key).status_code == 422


def test_unknown_job_is_404(stack: Stack) -> None:
    assert stack.client.get("/jobs/777777", headers=stack.admin).status_code == 404


def test_import_task_run_twice_does_the_work_once(stack: Stack) -> None:
    from workers.tasks.pools import import_pool

    project, key = make_project(stack)
    res = upload(stack, project["id"], key, npz_bytes(**tiny_arrays(7, 0, "twice-")), domain="source")
    job = res.json()["job"]
    assert job["status"] == "succeeded"
    payload = {"job_id": job["id"], "pool_id": res.json()["pool"]["id"], "upload": "uploads/gone"}
    import_pool.run(payload)  # a redelivery of the same message
    with session_scope() as s:
        n = s.execute(select(func.count()).where(Item.project_id == project["id"])).scalar_one()
        attempts = s.get(Job, job["id"]).attempts
    assert n == 7 and attempts == 1


def test_concurrent_labels_never_exceed_the_budget(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=5, n_target=12)

    def buy(i: int) -> bool:
        try:
            with session_scope() as s:
                labels.submit(
                    s,
                    pid,
                    [labels.LabelIn(label=0, external_id=f"target-train-{i:03d}")],
                    round_id=None,
                    annotator=f"t{i}",
                    overwrite=False,
                )
            return True
        except BudgetExhausted:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(buy, range(12)))
    assert sum(outcomes) == 5
    project = stack.client.get(f"/projects/{pid}", headers=key).json()
    assert (project["budget_spent"], project["budget_left"]) == (5, 0)
    labeled = stack.client.get(
        f"/projects/{pid}/items",
        headers=key,
        params={"domain": "target", "split": "train", "labeled": "true"},
    ).json()
    assert labeled["total"] == 5


def test_from_scratch_training_is_reproducible_under_a_seed(stack: Stack) -> None:
    project, key = make_project(stack)
    upload(stack, project["id"], key, npz_bytes(**tiny_arrays(12, 0, "r-")), domain="source")
    shas = []
    for seed in (3, 3, 4):
        job = _train(
            stack,
            project["id"],
            key,
            architecture="mlp",
            arch_args={"hidden": [8]},
            from_scratch=True,
            seed=seed,
        )
        ckpt = stack.client.get(f"/checkpoints/{job['result']['checkpoint_id']}", headers=key).json()
        assert ckpt["parent_id"] is None
        shas.append(ckpt["sha256"])
    assert shas[0] == shas[1] != shas[2]


def test_another_architecture_than_the_checkpoints_is_refused_not_ignored(stack: Stack) -> None:
    pid, key, ckpt = ready_project(stack)  # an mlp checkpoint
    body = {"objective": "ce", "architecture": "lenet", "arch_args": {"num_classes": 3}, "wait_seconds": 30}
    res = stack.client.post(f"/projects/{pid}/train", json=body, headers=key)
    assert (
        res.status_code == 409
        and "from_scratch=true" in res.json()["detail"]
        and "mlp" in res.json()["detail"]
    )
    same = {"objective": "ce", "architecture": "mlp", "epochs": 1, "wait_seconds": 30}
    job = stack.client.post(f"/projects/{pid}/train", json=same, headers=key).json()["job"]
    assert job["status"] == "succeeded" and job["result"]["checkpoint_id"] != ckpt
