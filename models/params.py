"""The base of every strategy's and objective's parameter model (pydantic, torch-free).

A strategy or objective registers with its parameter model (``register_strategy(name,
params=...)``); the workers publish each model's JSON schema (models/catalog.py), the API
validates requests against that schema, and the worker validates again with the model itself
(cross-field rules included) before it calls the strategy or builds the objective.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base of every parameter model: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")


class NoParams(Params):
    pass


def validated(params: type[Params], raw: dict[str, Any] | None) -> dict[str, Any]:
    """Validated parameters with defaults filled in, as JSON stores them (tuples as lists;
    raises pydantic.ValidationError)."""
    return params.model_validate(raw or {}).model_dump(mode="json")
