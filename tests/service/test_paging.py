"""Every list is a bounded page; pages put together are the whole list."""

from __future__ import annotations

from tests.service.conftest import Stack
from tests.service.factories import make_project, query, ready_project


def test_a_rounds_selection_pages_by_rank(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    full = query(stack, pid, key, 5).json()
    assert full["n_selections"] == 5 and len(full["selections"]) == 5
    pages, after = [], None
    while True:
        params = {"selections_limit": 2, **({"after_rank": after} if after is not None else {})}
        page = stack.client.get(f"/rounds/{full['id']}", params=params, headers=key).json()
        if not page["selections"]:
            break
        assert len(page["selections"]) <= 2 and page["n_selections"] == 5
        pages += page["selections"]
        after = page["selections"][-1]["rank"]
    assert pages == full["selections"]


def test_lists_are_pages_with_a_capped_size(stack: Stack) -> None:
    made = [make_project(stack)[0]["id"] for _ in range(3)]
    first = stack.client.get("/projects", params={"limit": 2}, headers=stack.admin).json()
    ids = [p["id"] for p in first]
    while True:
        page = stack.client.get(
            "/projects", params={"limit": 2, "offset": len(ids)}, headers=stack.admin
        ).json()
        if not page:
            break
        ids += [p["id"] for p in page]
    assert len(first) == 2 and set(made) <= set(ids) and len(ids) == len(set(ids))
    lists = ("pools", "checkpoints", "metrics")
    for path in ("/projects", *(f"/projects/{made[0]}/{name}" for name in lists)):
        res = stack.client.get(path, params={"limit": 1001}, headers=stack.admin)
        assert res.status_code == 422 and res.json()["error"] == "validation_error", (path, res.text)


def test_metrics_page_rounds_and_checkpoints(stack: Stack) -> None:
    pid, key, _ = ready_project(stack, budget=10, n_target=12)
    for _ in range(3):
        assert query(stack, pid, key, 1).status_code == 201
    whole = stack.client.get(f"/projects/{pid}/metrics", headers=key).json()
    page = stack.client.get(f"/projects/{pid}/metrics", params={"limit": 2, "offset": 1}, headers=key).json()
    assert len(whole["round_stats"]) == 3 and page["round_stats"] == whole["round_stats"][1:3]
