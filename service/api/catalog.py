"""What the service can do: strategies, objectives, networks, with parameter schemas."""

from __future__ import annotations

from service.api.schemas import CatalogOut
from service.api.strict import api_router
from service.catalog import OBJECTIVES, STRATEGIES
from service.catalog.networks import FAMILIES, NETWORKS

router = api_router("catalog")


@router.get("/strategies", response_model=list[CatalogOut])
def list_strategies() -> list[CatalogOut]:
    """Acquisition strategies: name, description, JSON schema of ``params`` for /query-batch."""
    return [CatalogOut(**e.describe()) for e in STRATEGIES.values()]


@router.get("/objectives", response_model=list[CatalogOut])
def list_objectives() -> list[CatalogOut]:
    """Training objectives: name, description, JSON schema of ``params`` for /train."""
    return [CatalogOut(**e.describe()) for e in OBJECTIVES.values()]


@router.get("/networks", response_model=dict[str, str])
def list_networks() -> dict[str, str]:
    """Network architectures a checkpoint or a from-scratch training may name: labelq's own, and
    the families named by prefix (``torchvision/<name>``)."""
    return {**NETWORKS, **FAMILIES}
