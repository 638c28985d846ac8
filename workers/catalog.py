"""A worker publishes what it can run (models/catalog.py: built-ins and the plugins installed
here, minus LABELQ_DISABLED_PLUGINS) to the database when it starts; the API serves and checks
requests against that, so installing a plugin on the worker image is all it takes."""

from __future__ import annotations

import logging
from importlib.metadata import version

from models.catalog import catalog
from service import catalog as published
from service.settings import get_settings

log = logging.getLogger(__name__)


def publish(worker: str) -> int:
    """Replace the published catalog with this worker's; how many entries it has."""
    rows = catalog(disabled=get_settings().disabled_plugins)
    published.publish(rows, worker=worker, version=version("labelq"))
    plugins = sorted({row["plugin"] for row in rows if row["plugin"]})
    log.info("worker %s published %d catalog entries (plugins: %s)", worker, len(rows), plugins or "none")
    return len(rows)
