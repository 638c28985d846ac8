"""The one check of a strategy's or objective's parameters at request time: the JSON schema the
workers published for it (jsonschema), with its defaults filled in; 422 listing what is wrong.
The worker validates again with the parameter model itself before it runs anything."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from service.catalog.entries import Entry
from service.errors import Invalid


def validate_params(entry: Entry, params: dict[str, Any] | None) -> dict[str, Any]:
    """``params`` with the schema's defaults filled in (what the job stores and the worker gets),
    or 422 ``validation_error`` with one ``{loc, msg, type}`` per problem."""
    schema = entry.params_schema or {"type": "object"}
    if not isinstance(params, dict):
        raise Invalid([{"loc": ["body", "params"], "msg": "params must be an object", "type": "type"}])
    filled = {
        name: copy.deepcopy(prop["default"])
        for name, prop in schema.get("properties", {}).items()
        if "default" in prop and name not in params
    } | params
    errors = sorted(Draft202012Validator(schema).iter_errors(filled), key=lambda e: list(e.absolute_path))
    if errors:
        raise Invalid([_error(schema, e) for e in errors])
    return filled


def _error(schema: dict[str, Any], e: ValidationError) -> dict[str, Any]:
    loc = ["body", "params", *e.absolute_path]
    if e.validator == "additionalProperties":
        extra = sorted(set(e.instance) - set(schema.get("properties", {})))
        return {"loc": loc, "msg": f"unknown parameters {extra}", "type": "extra_forbidden"}
    path = list(e.absolute_schema_path)
    if "then" in path:  # a rule of the form: when <field> is <value>, these fields stay unset
        rule = _at(schema, path[: path.index("then")])
        when = ", ".join(f"{k}={v['const']!r}" for k, v in rule["if"].get("properties", {}).items())
        return {
            "loc": loc,
            "msg": f"parameter {loc[-1]!r} does not apply to {when}",
            "type": "not_applicable",
        }
    return {"loc": loc, "msg": e.message, "type": str(e.validator)}


def _at(schema: Any, path: list[Any]) -> Any:
    for step in path:
        schema = schema[step]
    return schema
