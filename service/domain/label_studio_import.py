"""Label Studio tasks as target items: each task's image fetched from Label Studio with its token,
resized to the project's input shape ([C, H, W], C 1 or 3; values in [0, 1]) and imported as one
unlabeled target pool (``external_id`` = the task id) through the ordinary import job."""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import urljoin

import httpx
import numpy as np
from PIL import Image

from service.db.engine import session_scope
from service.db.tables import LsConnection
from service.domain import projects
from service.domain.pools import imports
from service.errors import BadInput
from service.storage import get_store


def auth_header(conn: LsConnection) -> dict[str, str]:
    """Label Studio's legacy token as ``Token``; a personal access token (a JWT refresh token) is
    exchanged for an access token first."""
    if conn.token.count(".") == 2:
        try:
            res = httpx.post(f"{conn.hostname}/api/token/refresh", json={"refresh": conn.token}, timeout=30)
            res.raise_for_status()
            return {"Authorization": f"Bearer {res.json()['access']}"}
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise BadInput(f"Label Studio refused its token (POST /api/token/refresh): {exc}") from None
    return {"Authorization": f"Token {conn.token}"}


def pixels(data: bytes, shape: list[int]) -> np.ndarray:
    """An image file as a float32 array of ``shape`` ([C, H, W] or [H, W]) in [0, 1]."""
    channels, (height, width) = (shape[0] if len(shape) == 3 else 1), shape[-2:]
    try:
        image = Image.open(io.BytesIO(data))
        image = image.convert("L" if channels == 1 else "RGB").resize(
            (width, height), Image.Resampling.BILINEAR
        )
    except Exception as exc:  # any undecodable file
        raise BadInput(f"a Label Studio task's image cannot be read: {exc}") from None
    x = np.asarray(image, dtype=np.float32) / 255.0
    x = x[None] if channels == 1 else np.moveaxis(x, -1, 0)
    return x.reshape(shape)


def fetch(conn: LsConnection, tasks: list[dict[str, Any]], shape: list[int]) -> tuple[np.ndarray, list[str]]:
    """The tasks' images (from ``task.data[conn.data_key]``, relative URLs on Label Studio)."""
    headers = auth_header(conn)
    xs, ids = [], []
    with httpx.Client(timeout=60, headers=headers, follow_redirects=True) as http:
        for task in tasks:  # a failed fetch is a 400 that names the task (Label Studio shows it)
            data = task.get("data") if isinstance(task.get("data"), dict) else {}
            url = str(data.get(conn.data_key) or "")
            if not url:
                raise BadInput(f"task {task.get('id')} has no {conn.data_key!r} in its data")
            try:
                res = http.get(urljoin(conn.hostname + "/", url))
            except httpx.HTTPError as exc:
                raise BadInput(
                    f"cannot fetch task {task.get('id')}'s image from Label Studio: {exc}"
                ) from None
            if res.status_code != 200:
                raise BadInput(
                    f"Label Studio answered {res.status_code} for task {task.get('id')}'s image {url}"
                )
            xs.append(pixels(res.content, shape))
            ids.append(str(task["id"]))
    return np.stack(xs), ids


def start_import(project_id: int, x: np.ndarray, ids: list[str]) -> int:
    """An unlabeled target pool of ``x`` with ``ids``, imported by a worker: its job id."""
    store = get_store()
    buf = io.BytesIO()
    np.savez(buf, x=x, ids=np.array(ids))
    key = f"uploads/{uuid.uuid4().hex}"
    with store.atomic_path(key) as tmp:
        tmp.write_bytes(buf.getvalue())
    try:
        with session_scope() as s:
            project = projects.get(s, project_id)
            _, job = imports.register(
                s, project, domain="target", split="train", filename="label-studio.npz", upload=key
            )
            return job.id
    except BaseException:
        store.delete(key)
        raise
