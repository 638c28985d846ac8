"""What the workers can run: strategies, objectives, networks, with parameter schemas, as the last
worker that started published them (built-ins and plugins); 503 before any worker has."""

from __future__ import annotations

from dataclasses import asdict

from service import catalog
from service.api.schemas import CatalogOut, ErrorOut
from service.api.strict import api_router

router = api_router("catalog")
UNPUBLISHED = {503: {"model": ErrorOut, "description": "no worker has published its catalog yet"}}


def _listed(kind: str) -> list[CatalogOut]:
    entries = catalog.load().of(kind).values()
    return [CatalogOut(**{k: v for k, v in asdict(e).items() if k != "kind"}) for e in entries]


@router.get("/strategies", response_model=list[CatalogOut], responses=UNPUBLISHED)
def list_strategies() -> list[CatalogOut]:
    """Acquisition strategies: name, description, JSON schema of ``params`` for /query-batch."""
    return _listed("strategy")


@router.get("/objectives", response_model=list[CatalogOut], responses=UNPUBLISHED)
def list_objectives() -> list[CatalogOut]:
    """Training objectives: name, description, JSON schema of ``params`` for /train."""
    return _listed("objective")


@router.get("/networks", response_model=list[CatalogOut], responses=UNPUBLISHED)
def list_networks() -> list[CatalogOut]:
    """Network architectures a checkpoint or a from-scratch training may name: the workers' own
    and their plugins' by name, and the families named by prefix (``torchvision/<name>``,
    ``timm/<name>`` where timm is installed), each with its members."""
    return _listed("network")
