"""What the dashboard reads besides the loop's own endpoints: item images, a project's jobs, and
the label each selected item has."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.service.conftest import Stack
from tests.service.factories import make_project, npz_bytes, query, ready_project, upload


def test_an_image_item_is_a_png_of_its_own_pixels(stack: Stack) -> None:
    project, key = make_project(stack, input_shape=[1, 2, 3])
    x = np.stack([np.arange(6, dtype=np.float32).reshape(1, 2, 3), np.zeros((1, 2, 3), np.float32)])
    x[1, 0, 1, 2] = 5.0  # one bright pixel
    res = upload(stack, project["id"], key, npz_bytes(x=x, ids=np.array(["ramp", "dot"])), domain="target")
    assert res.status_code == 201, res.text
    items = stack.client.get(f"/projects/{project['id']}/items", headers=key).json()["items"]
    by_name = {i["external_id"]: i["id"] for i in items}
    res = stack.client.get(f"/items/{by_name['ramp']}/image.png", params={"size": 30}, headers=key)
    assert res.status_code == 200 and res.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(res.content)))
    assert image.shape == (20, 30)  # 2 x 3 enlarged 10x (nearest), the longer side 30
    # min-max to 0..255 per image: the ramp 0..5 -> 0, 51, ..., 255, each pixel a 10x10 block
    assert image[::10, ::10].tolist() == [[0, 51, 102], [153, 204, 255]]
    dot = np.asarray(
        Image.open(io.BytesIO(stack.client.get(f"/items/{by_name['dot']}/image.png", headers=key).content))
    )
    assert dot.max() == 255 and (dot == 255).sum() == dot.size // 6


def test_items_that_are_not_images_or_not_ours_are_refused(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)  # items of shape [4]: embeddings, not images
    item = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"][0]
    res = stack.client.get(f"/items/{item['id']}/image.png", headers=key)
    assert res.status_code == 409 and "not images" in res.json()["detail"]
    _, other = make_project(stack)
    assert stack.client.get(f"/items/{item['id']}/image.png", headers=other).status_code == 403
    assert stack.client.get("/items/2000000000/image.png", headers=key).status_code == 404


def test_a_projects_jobs_newest_first_by_kind(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)  # 3 imports and a checkpoint validation
    rnd = query(stack, pid, key, 2).json()
    page = stack.client.get(f"/projects/{pid}/jobs", headers=key).json()
    kinds = [j["kind"] for j in page["items"]]
    assert page["total"] == 5 and kinds == ["score_round", "validate_checkpoint", *["import_pool"] * 3]
    assert page["items"][0]["id"] == rnd["job_id"]
    ids = [j["id"] for j in page["items"]]
    assert ids == sorted(ids, reverse=True)
    imports = stack.client.get(
        f"/projects/{pid}/jobs", params={"kind": "import_pool", "limit": 2}, headers=key
    )
    assert imports.json()["total"] == 3 and len(imports.json()["items"]) == 2
    _, other = make_project(stack)
    assert stack.client.get(f"/projects/{pid}/jobs", headers=other).status_code == 403


def test_selections_carry_the_label_their_item_got(stack: Stack) -> None:
    pid, key, _ = ready_project(stack)
    rnd = query(stack, pid, key, 3).json()
    assert [s["label"] for s in rnd["selections"]] == [None, None, None]
    first = rnd["selections"][0]
    body = {"project_id": pid, "round_id": rnd["id"], "labels": [{"item_id": first["item_id"], "label": 2}]}
    assert stack.client.post("/labels", json=body, headers=key).status_code == 200
    again = stack.client.get(f"/rounds/{rnd['id']}", headers=key).json()["selections"]
    assert [s["label"] for s in again] == [2, None, None]
