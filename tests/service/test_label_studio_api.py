"""The Label Studio ML backend routes' rules, without a Label Studio (tests/e2e/test_label_studio.py
runs the real one): keys, labeling configs, scores, and webhooks that change nothing."""

from __future__ import annotations

import base64

import pytest

from service.domain import label_studio as ls
from service.errors import BadInput
from tests.service.conftest import Stack
from tests.service.factories import CLASSES, make_project

CONFIG = (
    '<View><Image name="img" value="$image"/><Choices name="cls" toName="img">'
    + "".join(f'<Choice value="{c}"/>' for c in CLASSES)
    + "</Choices></View>"
)


def _basic(key: dict[str, str]) -> dict[str, str]:
    token = key["Authorization"].split()[1]
    return {"Authorization": "Basic " + base64.b64encode(f"labelq:{token}".encode()).decode()}


def test_the_labeling_config_is_read_and_checked() -> None:
    config = ls.parse_config(CONFIG)
    assert (config.from_name, config.to_name, config.data_key, config.choices) == (
        "cls",
        "img",
        "image",
        CLASSES,
    )
    for bad, match in (
        ("<View>", "not XML"),
        ('<View><Image name="i" value="$x"/></View>', "exactly one"),
        ('<View><Image name="i" value="x"/><Choices name="c" toName="i"/></View>', "task field"),
    ):
        with pytest.raises(BadInput, match=match):
            ls.parse_config(bad)
    with pytest.raises(BadInput, match=r"choices \['z'\] are not classes"):
        ls.check_choices(ls.Config("c", "i", "image", ["a", "z"]), CLASSES)


def test_scores_serve_round_picks_first_then_the_least_confident() -> None:
    picks = [ls.score((rank, 4), confidence=0.99) for rank in range(4)]
    rest = [ls.score(None, confidence=c) for c in (0.2, 0.6, 0.9)]
    assert picks == [0.0, 0.125, 0.25, 0.375] and rest == [0.6, 0.8, 0.95]
    assert sorted(picks + rest) == picks + rest, "lowest first: labelq's order, then uncertainty"


def test_keys_basic_or_bearer_and_only_the_projects_own(stack: Stack) -> None:
    project, key = make_project(stack)
    pid = project["id"]
    assert stack.client.get(f"/ls/{pid}/health").status_code == 401
    for headers in (key, _basic(key)):
        res = stack.client.get(f"/ls/{pid}/health", headers=headers)
        assert res.status_code == 200 and res.json()["status"] == "UP"
    _, other = make_project(stack)
    assert stack.client.get(f"/ls/{pid}/health", headers=_basic(other)).status_code == 403
    bad = {"Authorization": "Basic " + base64.b64encode(b"labelq:nope").decode()}
    assert stack.client.get(f"/ls/{pid}/health", headers=bad).status_code == 401


def test_setup_refuses_configs_that_do_not_fit_and_webhooks_wait_for_it(stack: Stack) -> None:
    project, key = make_project(stack)
    pid = project["id"]
    body = {"project": "7.1733", "schema": CONFIG, "hostname": "http://ls.example", "access_token": "t"}
    event = {"action": "ANNOTATION_CREATED", "annotation": {"id": 1, "result": []}, "task": {"id": 5}}
    res = stack.client.post(f"/ls/{pid}/webhook", json=event, headers=key)
    assert res.status_code == 409 and "/setup" in res.json()["detail"]
    wrong = CONFIG.replace('value="a"', 'value="x"')
    res = stack.client.post(f"/ls/{pid}/setup", json={**body, "schema": wrong}, headers=key)
    assert res.status_code == 400 and "not classes" in res.json()["detail"]
    res = stack.client.post(f"/ls/{pid}/setup", json={**body, "hostname": "ls.example"}, headers=key)
    assert res.status_code == 400
    res = stack.client.post(f"/ls/{pid}/setup", json=body, headers=_basic(key))
    assert res.status_code == 200 and res.json()["model_version"] == "labelq-v0-r0"
    # after setup: an event for a task labelq has not imported, or one it does not handle, changes nothing
    assert stack.client.post(f"/ls/{pid}/webhook", json=event, headers=key).json()["ignored"]
    res = stack.client.post(f"/ls/{pid}/webhook", json={"action": "PROJECT_UPDATED"}, headers=key)
    assert res.json() == {"action": "PROJECT_UPDATED", "ignored": True}
    assert stack.client.post(f"/ls/{pid}/predict", json={"tasks": []}, headers=key).json() == {"results": []}
    assert stack.client.get(f"/projects/{pid}", headers=key).json()["budget_spent"] == 0


def test_tasks_whose_images_cannot_be_fetched_are_a_400_that_names_them(stack: Stack) -> None:
    project, key = make_project(stack, input_shape=[1, 4, 4])
    pid = project["id"]
    body = {"project": "7.1733", "schema": CONFIG, "hostname": "http://127.0.0.1:1", "access_token": "t"}
    assert stack.client.post(f"/ls/{pid}/setup", json=body, headers=key).status_code == 200
    tasks = {"tasks": [{"id": 5, "data": {"image": "/data/upload/7/a.png"}}]}
    res = stack.client.post(f"/ls/{pid}/predict", json=tasks, headers=key)
    assert res.status_code == 400 and "task 5's image" in res.json()["detail"]
    res = stack.client.post(f"/ls/{pid}/predict", json={"tasks": [{"id": 6, "data": {}}]}, headers=key)
    assert res.status_code == 400 and "task 6 has no 'image'" in res.json()["detail"]
    assert stack.client.get(f"/projects/{pid}/pools", headers=key).json() == []
