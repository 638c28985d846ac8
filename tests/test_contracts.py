"""Contracts between the layers: API names equal the registries; the API process is torch-free."""

from __future__ import annotations

import subprocess
import sys

from models.acquisition import list_strategies
from models.networks import list_networks
from models.objectives import list_objectives
from service.catalog import OBJECTIVES, STRATEGIES
from service.catalog.networks import NETWORKS


def test_catalog_names_equal_the_registries() -> None:
    assert set(STRATEGIES) == set(list_strategies())
    assert set(OBJECTIVES) == set(list_objectives())
    assert set(NETWORKS) == set(list_networks())


def test_every_catalog_entry_has_a_schema_and_description() -> None:
    for entry in [*STRATEGIES.values(), *OBJECTIVES.values()]:
        info = entry.describe()
        assert info["description"] and info["params_schema"]["type"] == "object"
        assert entry.validate({}) == entry.params().model_dump(mode="json")


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
