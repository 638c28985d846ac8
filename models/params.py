"""A catalog entry: a name, a description and the pydantic model of its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base of every parameter model: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    description: str
    params: type[Params]
    paper: str = ""

    def validate(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """Validated parameters with defaults filled in, as JSON stores them (tuples as lists;
        raises pydantic.ValidationError)."""
        return self.params.model_validate(raw or {}).model_dump(mode="json")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "paper": self.paper,
            "params_schema": self.params.model_json_schema(),
        }


def catalog(*entries: CatalogEntry) -> dict[str, CatalogEntry]:
    out: dict[str, CatalogEntry] = {}
    for entry in entries:
        if entry.name in out:
            raise ValueError(f"duplicate catalog entry {entry.name!r}")
        out[entry.name] = entry
    return out
