"""The catalog of strategies, objectives and networks, as the workers published it (built-ins
and plugins: models/catalog.py), torch-free: the API serves it (GET /strategies, /objectives,
/networks) and checks every request's names and parameters against it."""

from service.catalog.entries import Catalog, Entry
from service.catalog.params import validate_params
from service.catalog.published import load, publish

__all__ = ["Catalog", "Entry", "load", "publish", "validate_params"]
