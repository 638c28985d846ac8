"""Projects and API keys: the admin key creates, a project key reaches only its project."""

from __future__ import annotations

from tests.service.conftest import Stack
from tests.service.factories import make_project


def test_missing_or_wrong_key_is_refused(stack: Stack) -> None:
    assert stack.client.get("/projects").status_code == 401
    res = stack.client.get("/projects", headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401
    assert res.json()["error"] == "unauthorized"


def test_project_key_reaches_only_its_project(stack: Stack) -> None:
    a, key_a = make_project(stack)
    b, _ = make_project(stack)
    assert stack.client.get(f"/projects/{a['id']}", headers=key_a).status_code == 200
    res = stack.client.get(f"/projects/{b['id']}", headers=key_a)
    assert res.status_code == 403
    listed = stack.client.get("/projects", headers=key_a).json()
    assert [p["id"] for p in listed] == [a["id"]]
    assert (
        stack.client.post(
            "/projects",
            json={"name": "x", "classes": ["a", "b"], "input_shape": [2], "budget": 1},
            headers=key_a,
        ).status_code
        == 403
    )


def test_keys_are_stored_hashed(stack: Stack) -> None:
    from sqlalchemy import select

    from service.db.engine import session_scope
    from service.db.tables import ApiKey

    project, key = make_project(stack)
    raw = key["Authorization"].split()[1]
    with session_scope() as s:
        hashes = s.execute(select(ApiKey.key_hash).where(ApiKey.project_id == project["id"])).scalars().all()
    assert len(hashes) == 1 and raw not in hashes[0] and len(hashes[0]) == 64


def test_project_fields_and_budget(stack: Stack) -> None:
    project, key = make_project(stack, budget=7, name="as sent", default_strategy="margin")
    got = stack.client.get(f"/projects/{project['id']}", headers=key).json()
    assert (got["budget"], got["budget_spent"], got["budget_left"]) == (7, 0, 7)
    assert (got["name"], got["classes"], got["default_strategy"], got["default_objective"]) == (
        "as sent",
        ["a", "b", "c"],
        "margin",
        "ce",
    )
    assert "api_key" not in got


def test_bad_project_bodies_are_422(stack: Stack) -> None:
    for body in (
        {"name": "x", "classes": ["a"], "input_shape": [2], "budget": 1},
        {"name": "x", "classes": ["a", "b"], "input_shape": [0], "budget": 1},
        {"name": "x", "classes": ["a", "b"], "input_shape": [2], "budget": -1},
    ):
        assert stack.client.post("/projects", json=body, headers=stack.admin).status_code == 422


def test_unknown_project_is_404(stack: Stack) -> None:
    res = stack.client.get("/projects/999999", headers=stack.admin)
    assert res.status_code == 404 and res.json()["error"] == "not_found"
