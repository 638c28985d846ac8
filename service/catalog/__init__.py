"""Names, descriptions and parameter schemas of strategies and objectives, torch-free.

The API validates request parameters against these pydantic models (422 before any work starts)
and serves them at GET /strategies and GET /objectives. A contract test keeps these names equal
to the registries in models/.
"""

from service.catalog.base import CatalogEntry
from service.catalog.objectives import OBJECTIVES
from service.catalog.strategies import STRATEGIES

__all__ = ["OBJECTIVES", "STRATEGIES", "CatalogEntry"]
