"""Contracts between the layers: the catalog the workers publish is the registries (built-ins and
plugins), the API's JSON-schema check of parameters agrees with the worker's parameter models,
and the API process is torch-free."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pydantic
import pytest

from models.acquisition import get_strategy, list_strategies
from models.catalog import catalog
from models.networks import list_networks
from models.objectives import list_objectives
from models.objectives.base import get_objective
from models.params import Params, validated
from service.catalog import Entry, validate_params
from service.errors import Invalid

ROWS = catalog()
PARAMETRIZED = [row for row in ROWS if row["kind"] in ("strategy", "objective")]


def test_the_catalog_lists_every_registered_name_once() -> None:
    names = {kind: sorted(r["name"] for r in ROWS if r["kind"] == kind) for kind in ("strategy", "objective")}
    assert names == {"strategy": list_strategies(), "objective": list_objectives()}
    networks = {r["name"] for r in ROWS if r["kind"] == "network"}
    assert networks == set(list_networks()) | {"torchvision/<name>", "timm/<name>"}
    assert len({(r["kind"], r["name"]) for r in ROWS}) == len(ROWS)


def _model(row: dict[str, Any]) -> type[Params]:
    info = get_strategy(row["name"]) if row["kind"] == "strategy" else get_objective(row["name"])
    return info.params


def _probes(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Requests to check both ways: none, an unknown name, and per parameter a wrong type, its
    default, and values beyond its bounds."""
    out: list[dict[str, Any]] = [{}, {"no_such_parameter": 1}]
    for name, prop in row["params_schema"].get("properties", {}).items():
        out += [{name: "not-a-value"}, {name: [1]}, {name: None}]
        if "default" in prop:
            out.append({name: prop["default"]})
        for branch in prop.get("anyOf", [prop]):
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                if bound in branch:
                    out += [{name: branch[bound] + d} for d in (-1, -0.5, 0, 0.5, 1)]
            out += [{name: v} for v in branch.get("enum", [])[:2]]
    if row["name"] in ("gh", "ghpp"):  # the cross-field rule: another alignment's parameters
        out += [{"align": "eada", "lam": 0.1}, {"align": "tod", "lam": 0.1}, {"trade_off": 2.0, "gamma": 0.1}]
    if row["name"] == "auto":
        out += [{"arms": ["entropy", "entropy"]}, {"arms": ["entropy", "margin"]}]
    return out


@pytest.mark.parametrize("row", PARAMETRIZED, ids=lambda r: f"{r['kind']}-{r['name']}")
def test_the_api_check_agrees_with_the_workers_parameter_model(row: dict[str, Any]) -> None:
    """What the API accepts (the published JSON schema) the worker's model accepts, with the same
    values once defaults are filled in; what one refuses the other refuses."""
    entry, model = Entry(**{k: row[k] for k in ("kind", "name", "description", "params_schema")}), _model(row)
    outcomes = set()
    for raw in _probes(row):
        try:
            worker = validated(model, raw)
        except pydantic.ValidationError:
            worker = None
        try:
            api = validate_params(entry, raw)
        except Invalid:
            api = None
        assert (api is None) == (worker is None), (row["name"], raw, api, worker)
        outcomes.add(api is None)
        if api is not None:
            assert validated(model, api) == worker, (row["name"], raw)
    assert outcomes == {True, False}, "the probes include accepted and refused requests"


def test_api_process_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "import service.app, service.cli, service.domain.pools.parsing\n"
        "import labelq_demo.run, labelq_demo.simulation\n"
        "service.app.create_app().openapi()\n"
        "heavy = ('torch', 'torchvision', 'models', 'workers')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
