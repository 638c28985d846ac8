"""Label Studio as a client: labelq speaks its ML backend protocol for a project.

- ``/setup`` keeps the connection (Label Studio's URL and token, its project, the labeling config's
  Choices and Image names); Choices map to the project's classes by name.
- ``/predict`` answers each task with the predicted choice and a score Label Studio orders by,
  lowest first: items of the project's open rounds first, in labelq's acquisition order (scores
  below 0.5 by rank), then the rest by confidence (0.5 + confidence / 2).
- webhooks: an annotation created or updated becomes a label (an update overwrites), a deleted
  one removes it, a skipped task releases its item from open rounds, START_TRAINING trains.

Tasks become target items with ``external_id`` = the task id (service/domain/label_studio_import.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.metadata import utcnow
from service.db.tables import Item, LsAnnotation, LsConnection, Project, Round, RoundSelection
from service.domain import rounds
from service.domain.items import visible_items
from service.errors import BadInput, Conflict

OPEN = ("ready",)


@dataclass(frozen=True)
class Config:
    from_name: str  # the Choices tag's name
    to_name: str  # the Image tag it labels
    data_key: str  # the Image's value without "$": task.data[data_key]
    choices: list[str]


def parse_config(xml: str) -> Config:
    """The one ``<Choices toName=...>`` on an ``<Image value="$key">`` of a labeling config."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise BadInput(f"the labeling config is not XML: {exc}") from None
    images = {tag.get("name"): tag.get("value", "") for tag in root.iter() if tag.tag == "Image"}
    picks = [tag for tag in root.iter() if tag.tag == "Choices" and tag.get("toName") in images]
    if len(picks) != 1:
        raise BadInput(
            'the labeling config needs exactly one <Choices toName=...> on an <Image value="$...">'
        )
    tag = picks[0]
    value = images[tag.get("toName")]
    if not value.startswith("$") or len(value) < 2:
        raise BadInput(f"the Image's value must name a task field ($image), got {value!r}")
    choices = [c.get("value", "") for c in tag.iter() if c.tag == "Choice"]
    return Config(tag.get("name", ""), tag.get("toName", ""), value[1:], choices)


def check_choices(config: Config, classes: list[str]) -> None:
    unknown = [c for c in config.choices if c not in classes]
    if unknown:
        raise BadInput(f"choices {unknown} are not classes of the project ({classes}); name them alike")


def ls_project_id(uid: Any) -> int:
    """Label Studio sends its project as ``"<id>.<created timestamp>"``."""
    try:
        value = int(str(uid).split(".", 1)[0])
    except ValueError:
        value = 0
    if not 1 <= value <= 2**31 - 1:
        raise BadInput(f"not a Label Studio project id: {str(uid)[:100]!r}")
    return value


def connect(session: Session, project: Project, body: dict[str, Any]) -> LsConnection:
    """Keep (or renew) the project's connection from a ``/setup`` body."""
    config = parse_config(str(body.get("schema") or ""))
    check_choices(config, list(project.classes))
    hostname, token = str(body.get("hostname") or "").rstrip("/"), str(body.get("access_token") or "")
    if not hostname.startswith(("http://", "https://")):
        raise BadInput(f"Label Studio's hostname must be an http(s) URL, got {hostname!r}")
    if len(hostname) > 1000 or max(len(config.from_name), len(config.to_name), len(config.data_key)) > 255:
        raise BadInput("Label Studio's hostname (1000) or the config's tag names (255) are too long")
    row = session.get(LsConnection, project.id) or LsConnection(project_id=project.id)
    row.ls_project, row.hostname, row.token = ls_project_id(body.get("project")), hostname, token
    row.from_name, row.to_name, row.data_key = config.from_name, config.to_name, config.data_key
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def connection(session: Session, project_id: int) -> LsConnection:
    row = session.get(LsConnection, project_id)
    if row is None:
        raise Conflict("Label Studio has not called /setup for this project yet (connect the ML backend)")
    return row


def items_of(session: Session, project_id: int, task_ids: list[int]) -> dict[int, int]:
    """task id -> item id of the tasks already imported."""
    names = [str(t) for t in task_ids]
    query = select(Item.external_id, Item.id).where(visible_items(project_id), Item.external_id.in_(names))
    return {int(name): item_id for name, item_id in session.execute(query).all()}


def round_ranks(session: Session, project_id: int, item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """item id -> (rank, round size) in the latest open round that selected it."""
    query = (
        select(RoundSelection.item_id, RoundSelection.rank, Round.id)
        .join(Round, Round.id == RoundSelection.round_id)
        .where(Round.project_id == project_id, Round.status.in_(OPEN), RoundSelection.item_id.in_(item_ids))
        .order_by(Round.id)
    )
    out: dict[int, tuple[int, int]] = {}
    sizes: dict[int, int] = {}
    for item_id, rank, round_id in session.execute(query).all():
        if round_id not in sizes:
            sizes[round_id] = rounds.n_selected(session, round_id)
        out[item_id] = (rank, sizes[round_id])
    return out


def score(rank: tuple[int, int] | None, confidence: float) -> float:
    """What Label Studio sorts by, lowest first: open-round picks by rank in [0, 0.5), then the
    rest by the model's confidence in [0.5, 1]."""
    if rank is not None:
        return 0.5 * rank[0] / max(rank[1], 1)
    return 0.5 + 0.5 * confidence


def result(conn: LsConnection, choice: str) -> list[dict[str, Any]]:
    """A Label Studio result choosing ``choice``."""
    return [
        {
            "from_name": conn.from_name,
            "to_name": conn.to_name,
            "type": "choices",
            "value": {"choices": [choice]},
        }
    ]


def chosen(conn: LsConnection, annotation: dict[str, Any]) -> str | None:
    """The choice an annotation made with the connected Choices tag, if any."""
    entries = annotation.get("result") if isinstance(annotation.get("result"), list) else []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if entry.get("from_name") == conn.from_name and entry.get("type", "choices") == "choices":
            value = entry.get("value") if isinstance(entry.get("value"), dict) else {}
            picked = value.get("choices") if isinstance(value.get("choices"), list) else []
            if picked:
                return str(picked[0])
    return None


def remember(session: Session, project_id: int, annotation_id: int, item_id: int) -> None:
    row = session.get(LsAnnotation, (project_id, annotation_id))
    if row is None:
        session.add(LsAnnotation(project_id=project_id, annotation_id=annotation_id, item_id=item_id))
    else:
        row.item_id = item_id
    session.flush()


def forget(session: Session, project_id: int, annotation_ids: list[int]) -> list[int]:
    """The items of deleted annotations (and forget them)."""
    rows = session.execute(
        select(LsAnnotation).where(
            LsAnnotation.project_id == project_id, LsAnnotation.annotation_id.in_(annotation_ids)
        )
    ).scalars()
    items = []
    for row in list(rows):
        items.append(row.item_id)
        session.delete(row)
    session.flush()
    return items
