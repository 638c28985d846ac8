"""What this installation can run, as JSON: every registered strategy, objective and network
(built-in or plugin), with descriptions and parameter JSON schemas.

Workers publish it when they start (workers/catalog.py); the API serves it (GET /strategies,
/objectives, /networks) and validates request parameters against the published schemas, so
neither the API nor a hand-kept list ever has to know a strategy's code.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection
from typing import Any

from models.acquisition import get_strategy, list_strategies
from models.networks import list_networks, timm_models, torchvision_models
from models.networks.registry import get_network
from models.objectives import list_objectives
from models.objectives.base import get_objective
from models.plugins import load_plugins

FAMILIES = {
    "torchvision/<name>": (
        "Any torchvision classification model by name (torchvision.models.list_models(), e.g. "
        "torchvision/resnet50, torchvision/efficientnet_b0, torchvision/vit_b_16; not squeezenet), never "
        "pretrained: upload its own state dict (torchvision's key names, as saved) as weights. Args: "
        "num_classes and the model's other keyword arguments (JSON). Features are the input of its final "
        "Linear.",
        "torchvision/",
        torchvision_models.names,
    ),
    "timm/<name>": (
        "Any timm model by name (timm.list_models(); timm on the workers: labelq[timm]), pretrained=False: "
        "upload its own state dict. Args: num_classes, in_chans and the model's other keyword arguments. "
        "Features are forward_head(forward_features(x), pre_logits=True).",
        "timm/",
        timm_models.names,
    ),
}


def catalog(disabled: Collection[str] = ()) -> list[dict[str, Any]]:
    """One JSON row per strategy, objective and network this process can run (plugins loaded;
    those named in ``disabled``, by entry point or distribution, left out), and one per network
    family whose library is installed (``members``: its model names)."""
    plugins = {(p.kind, p.name): p for p in load_plugins(disabled)}
    left_out = {
        key for key, p in plugins.items() if p.error or p.name in disabled or p.distribution in disabled
    }
    rows: list[dict[str, Any]] = []
    for name in list_strategies():
        s = get_strategy(name)
        flags = {"needs_model": s.needs_model, "needs_previous": s.needs_previous, "adaptive": s.adaptive}
        rows.append(_row("strategy", name, s.description, s.paper, s.params.model_json_schema(), flags))
    for name in list_objectives():
        o = get_objective(name)
        schema = o.params.model_json_schema()
        rows.append(_row("objective", name, o.description, o.paper, schema, {"unlabeled": o.unlabeled}))
    for name in list_networks():
        n = get_network(name)
        args = list(inspect.signature(n.factory).parameters)
        rows.append(_row("network", name, n.description, "", None, {"arguments": args}))
    for name, (description, prefix, members) in FAMILIES.items():
        found = members()
        if found:
            rows.append(_row("network", name, description, "", None, {"prefix": prefix, "members": found}))
    out = []
    for row in rows:
        key = (row["kind"], row["name"])
        plugin = plugins.get(key)
        if key in left_out:
            continue
        out.append({**row, "plugin": plugin.label if plugin else None})
    return out


def _row(
    kind: str, name: str, description: str, paper: str, schema: dict[str, Any] | None, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "description": description,
        "paper": paper,
        "params_schema": schema,
        "extra": extra,
    }


__all__ = ["FAMILIES", "catalog"]
