"""Names, descriptions and parameter schemas of strategies and objectives, torch-free.

The API validates request parameters against these pydantic models (422 before any work starts)
and serves them at GET /strategies and GET /objectives. A contract test keeps these names equal
to the registries in models/.
"""

from typing import Any

from pydantic import ValidationError

from service.catalog.base import CatalogEntry
from service.catalog.objectives import OBJECTIVES
from service.catalog.strategies import STRATEGIES
from service.errors import Invalid

__all__ = ["OBJECTIVES", "STRATEGIES", "CatalogEntry", "validate_params"]


def validate_params(
    catalog: dict[str, CatalogEntry], kind: str, name: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The one check of a strategy's or objective's parameters, named or the project default:
    defaults filled in, or 422 ``validation_error`` listing what is wrong."""
    if name not in catalog:
        raise Invalid(f"unknown {kind} {name!r}; known: {sorted(catalog)}")
    try:
        return catalog[name].validate(params)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", "params", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        raise Invalid(errors) from exc
