"""Rounds, reservations, the budget ledger and label idempotency, through the API."""

from __future__ import annotations

import numpy as np
import torch
from safetensors.torch import load as load_safetensors

from models.networks import build_network
from tests.service.conftest import Stack
from tests.service.factories import ARCH_ARGS, query, ready_project, tiny_arrays


def _labels(stack: Stack, pid: int, key: dict[str, str], pairs: list[tuple[str, int]], **extra) -> object:  # type: ignore[no-untyped-def]
    body = {"project_id": pid, "labels": [{"external_id": e, "label": lab} for e, lab in pairs], **extra}
    return stack.client.post("/labels", json=body, headers=key)


def test_round_selects_by_entropy_with_scores(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    res = query(stack, pid, key, 4)
    assert res.status_code == 201, res.text
    rnd = res.json()
    assert rnd["status"] == "ready" and rnd["checkpoint_id"] == ckpt_id and len(rnd["selections"]) == 4
    # recompute the entropy of every target item with the uploaded weights: the round is its top 4
    weights = stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(load_safetensors(weights))
    x = torch.from_numpy(tiny_arrays(12, 2, "")["x"])
    with torch.no_grad():
        logp = torch.log_softmax(net.eval()(x)[0], -1)
    entropy = -(logp.exp() * logp).sum(-1)
    expected = torch.argsort(-entropy, stable=True)[:4].tolist()
    assert [s["external_id"] for s in rnd["selections"]] == [f"target-train-{i:03d}" for i in expected]
    scores = [s["score"] for s in rnd["selections"]]
    assert scores == sorted(scores, reverse=True)
    assert np.allclose(scores, entropy[expected].numpy(), atol=1e-5)
    assert stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["selections"] == rnd["selections"]


def test_open_round_reserves_its_items(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=12, n_target=12)
    first = query(stack, pid, key, 5).json()
    second = query(stack, pid, key, 5).json()
    a = {s["item_id"] for s in first["selections"]}
    b = {s["item_id"] for s in second["selections"]}
    assert len(a) == len(b) == 5 and not a & b
    proj = stack.client.get(f"/projects/{pid}", headers=key).json()
    assert proj["budget_reserved"] == 10
    third = query(stack, pid, key, 3)
    assert third.status_code == 409 and third.json()["error"] == "budget_exhausted"
    assert "only 2 are left" in third.json()["detail"]
    stack.client.post(f"/rounds/{first['id']}/cancel", headers=key)
    again = query(stack, pid, key, 2).json()
    assert len(again["selections"]) == 2
    assert not {s["item_id"] for s in again["selections"]} & b, (
        "the cancelled round's items are free, b's are not"
    )


def test_labels_charge_budget_once_and_close_the_round(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=6)
    rnd = query(stack, pid, key, 3).json()
    pairs = [(s["external_id"], 1) for s in rnd["selections"]]
    res = _labels(stack, pid, key, pairs, round_id=rnd["id"], annotator="ann-1")
    assert res.status_code == 200, res.text
    assert res.json() == {
        "accepted": 3,
        "unchanged": 0,
        "overwritten": 0,
        "budget_spent": 3,
        "budget_left": 3,
    }
    again = _labels(stack, pid, key, pairs, round_id=rnd["id"]).json()
    assert (again["accepted"], again["unchanged"], again["budget_spent"]) == (0, 3, 3)
    assert stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["status"] == "closed"
    nxt = query(stack, pid, key, 3).json()
    assert not {s["item_id"] for s in nxt["selections"]} & {s["item_id"] for s in rnd["selections"]}


def test_conflicting_label_is_409_unless_overwrite(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=5)
    ext = "target-train-000"
    assert _labels(stack, pid, key, [(ext, 0)]).status_code == 200
    res = _labels(stack, pid, key, [(ext, 2)])
    assert res.status_code == 409 and res.json()["error"] == "label_conflict"
    res = _labels(stack, pid, key, [(ext, 2)], overwrite=True)
    assert res.json()["overwritten"] == 1 and res.json()["budget_spent"] == 1
    item = stack.client.get(
        f"/projects/{pid}/items",
        headers=key,
        params={"labeled": "true", "domain": "target", "split": "train"},
    )
    assert [(i["external_id"], i["label"]) for i in item.json()["items"]] == [(ext, 2)]


def test_every_label_is_kept_as_an_annotation(stack: Stack) -> None:
    from sqlalchemy import select

    from service.db.engine import session_scope
    from service.db.tables import Annotation

    pid, key, _ = ready_project(stack, budget=5)
    _labels(stack, pid, key, [("target-train-001", 0)], annotator="x")
    _labels(stack, pid, key, [("target-train-001", 0)], annotator="y")
    _labels(stack, pid, key, [("target-train-001", 1)], annotator="z", overwrite=True)
    with session_scope() as s:
        rows = s.execute(
            select(Annotation.kind, Annotation.annotator, Annotation.label)
            .where(Annotation.project_id == pid)
            .order_by(Annotation.id)
        ).all()
    assert [tuple(r) for r in rows] == [("new", "x", 0), ("same", "y", 0), ("overwrite", "z", 1)]


def test_labels_beyond_the_budget_are_refused_whole(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=2)
    res = _labels(stack, pid, key, [(f"target-train-{i:03d}", 0) for i in range(3)])
    assert res.status_code == 409 and "only 2 are left" in res.json()["detail"]
    proj = stack.client.get(f"/projects/{pid}", headers=key).json()
    assert proj["budget_spent"] == 0
    assert (
        stack.client.get(
            f"/projects/{pid}/items",
            headers=key,
            params={"domain": "target", "split": "train", "labeled": "true"},
        ).json()["total"]
        == 0
    )


def test_bad_labels(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=5)
    res = _labels(stack, pid, key, [("target-train-000", 3)])
    assert res.status_code == 400 and "outside 0..2" in res.json()["detail"]
    res = _labels(stack, pid, key, [("no-such-item", 0)])
    assert res.status_code == 404 and "no-such-item" in res.json()["detail"]
    res = _labels(stack, pid, key, [("target-train-000", 0)], round_id=99999)
    assert res.status_code == 404
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_spent"] == 0


def test_idempotency_key_returns_the_same_round(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    first = query(stack, pid, key, 2, idempotency_key="k1")
    again = query(stack, pid, key, 2, idempotency_key="k1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert query(stack, pid, key, 3, idempotency_key="k1").status_code == 409


def test_empty_pool_is_409(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=20, n_target=3)
    assert len(query(stack, pid, key, 3).json()["selections"]) == 3
    res = query(stack, pid, key, 1)
    assert res.status_code == 409 and res.json()["error"] == "empty_pool"


def test_strategy_params_are_validated_before_work(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    assert query(stack, pid, key, 2, strategy="oracle").status_code == 422
    assert query(stack, pid, key, 2, params={"bogus": 1}).status_code == 422
    assert query(stack, pid, key, 0).status_code == 422
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_reserved"] == 0


def test_unknown_round_is_404(stack: Stack) -> None:
    res = stack.client.get("/rounds/424242", headers=stack.admin)
    assert res.status_code == 404 and res.json()["error"] == "not_found"


def test_round_without_checkpoint_is_409(stack: Stack) -> None:
    from tests.service.factories import make_project, upload_pool

    project, key = make_project(stack)
    upload_pool(stack, project["id"], key, domain="target", labeled=False)
    res = query(stack, project["id"], key, 2)
    assert res.status_code == 409 and "checkpoint" in res.json()["detail"]


def test_metrics_show_each_round(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack, budget=8)
    rnd = query(stack, pid, key, 3).json()
    _labels(stack, pid, key, [(rnd["selections"][0]["external_id"], 1)], round_id=rnd["id"])
    second = query(stack, pid, key, 2, strategy="margin").json()
    stats = stack.client.get(f"/projects/{pid}/metrics", headers=key).json()["round_stats"]
    assert [(r["number"], r["strategy"], r["selected"], r["labeled"]) for r in stats] == [
        (1, "entropy", 3, 1),
        (2, "margin", 2, 0),
    ]
    scores = [s["score"] for s in rnd["selections"]]
    first = stats[0]
    assert (first["score_min"], first["score_max"]) == (min(scores), max(scores))
    assert abs(first["score_mean"] - sum(scores) / 3) < 1e-9
    assert first["checkpoint_id"] == ckpt_id and first["checkpoint_version"] == 1
    assert stats[1]["round_id"] == second["id"] and stats[1]["status"] == "ready"


def test_selected_items_carry_the_checkpoints_prediction(stack: Stack) -> None:
    pid, key, ckpt_id = ready_project(stack)
    rnd = query(stack, pid, key, 5).json()
    weights = stack.client.get(f"/checkpoints/{ckpt_id}/weights", headers=key).content
    net = build_network("mlp", **ARCH_ARGS)
    net.load_state_dict(load_safetensors(weights))
    x = torch.from_numpy(tiny_arrays(12, 2, "")["x"])
    with torch.no_grad():
        probs = torch.softmax(net.eval()(x)[0].double(), -1)
    for s in rnd["selections"]:
        row = probs[int(s["external_id"].rsplit("-", 1)[1])]
        order = sorted(range(3), key=lambda c: (-float(row[c]), c))
        assert s["prediction"]["label"] == order[0]
        assert [t["label"] for t in s["prediction"]["top"]] == order
        assert np.allclose([t["probability"] for t in s["prediction"]["top"]], row[order].numpy(), atol=1e-5)
    stored = stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["selections"]
    assert [s["prediction"] for s in stored] == [s["prediction"] for s in rnd["selections"]]
