"""The catalog as the API holds it: what the workers published (strategies, objectives,
networks), looked up by kind and name, torch-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.errors import Invalid

KINDS = ("strategy", "objective", "network")


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    description: str
    paper: str = ""
    params_schema: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    plugin: str | None = None  # "distribution version" of the plugin that registered it


@dataclass(frozen=True)
class Catalog:
    entries: dict[str, dict[str, Entry]]  # kind -> name -> entry
    worker: str = ""  # who published it, with which labelq version, when
    version: str = ""
    published_at: str = ""

    def of(self, kind: str) -> dict[str, Entry]:
        return self.entries.get(kind, {})

    def get(self, kind: str, name: str) -> Entry:
        """The entry, or 422 naming what is known (an uninstalled plugin is unknown)."""
        known = self.of(kind)
        if name not in known:
            raise Invalid(f"unknown {kind} {name!r}; known: {sorted(known)}")
        return known[name]

    def check_architecture(self, name: str) -> None:
        """A network the workers have: one of theirs by name, or a member of a family they have
        (``torchvision/resnet50``); ValueError naming what is known otherwise."""
        networks = self.of("network")
        if name in networks and "prefix" not in networks[name].extra:
            return
        for family in networks.values():
            prefix = family.extra.get("prefix")
            if prefix and name.startswith(prefix):
                member = name.removeprefix(prefix)
                if member in family.extra.get("members", []):
                    return
                library = prefix.rstrip("/")
                raise ValueError(
                    f"unknown architecture {name!r}: the workers' {library} has no model {member!r} "
                    f"(GET /networks lists the members of {family.name})"
                )
        raise ValueError(f"unknown architecture {name!r}; known: {sorted(networks)}")
