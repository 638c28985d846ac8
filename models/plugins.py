"""Third-party strategies, objectives and networks, registered through Python entry points.

A distribution declares them in its pyproject.toml, the entry point's name being the name it
registers::

    [project.entry-points."labelq.strategies"]
    my_strategy = "my_package.strategies"

Loading the value (a module, or an object in one) must register that name with the decorator of
its kind (``register_strategy``, ``register_objective``, ``register_network``): the same contract,
parameter models and checks as the built-ins. Workers load plugins when they start and publish
them in the catalog (models/catalog.py); nothing else has to know them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib.metadata import entry_points

from models.acquisition import list_strategies
from models.networks import list_networks
from models.objectives import list_objectives

log = logging.getLogger(__name__)

GROUPS: dict[str, tuple[str, Callable[[], list[str]]]] = {
    "labelq.strategies": ("strategy", list_strategies),
    "labelq.objectives": ("objective", list_objectives),
    "labelq.networks": ("network", list_networks),
}


@dataclass(frozen=True)
class Plugin:
    kind: str  # strategy, objective, network
    name: str  # the entry point's name: what it registers
    value: str  # what the entry point loads ("package.module" or "package.module:object")
    distribution: str  # the distribution that declares it, and its version
    version: str
    error: str | None = None  # why it is not usable, when it is not

    @property
    def label(self) -> str:
        return f"{self.distribution} {self.version}"


_LOADED: dict[tuple[str, str], Plugin] = {}


def load_plugins(disabled: Collection[str] = ()) -> list[Plugin]:
    """Load every plugin entry point once and return every plugin loaded in this process so far,
    failures included (a plugin that raises on import or registers nothing under its name is
    logged and reported with the reason, never raised: one broken plugin does not stop a worker).
    An entry point whose name or distribution is in ``disabled`` is not loaded now."""
    for group, (kind, registered) in GROUPS.items():
        for ep in entry_points(group=group):
            dist = ep.dist.metadata["Name"] if ep.dist is not None else "?"
            version = ep.dist.version if ep.dist is not None else "?"
            if (kind, ep.name) in _LOADED or ep.name in disabled or dist in disabled:
                continue
            error = None
            try:
                ep.load()
                if ep.name not in registered():
                    error = f"loading {ep.value!r} registered no {kind} named {ep.name!r}"
            except Exception as exc:  # noqa: BLE001  (any import-time failure of third-party code)
                error = f"{type(exc).__name__}: {exc}"
            if error:
                log.error("plugin %s %r of %s %s is not usable: %s", kind, ep.name, dist, version, error)
            _LOADED[kind, ep.name] = Plugin(kind, ep.name, ep.value, dist, version, error)
    return list(_LOADED.values())
