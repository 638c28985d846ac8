"""Input that the database or the workers would choke on is refused at the edge, as a 4xx.

JSON bodies are parsed strictly: ``NaN``/``Infinity`` are not JSON, strings may not hold NUL,
other control characters or lone surrogates (PostgreSQL refuses them, UTF-8 cannot encode them),
and integers must fit in 64 bits. Every router uses :class:`StrictRoute`; form fields that carry
JSON go through :func:`loads`, free text through :func:`clean_text`. Ids in paths and bodies are
``PathId``/``RowId`` (the database's 32-bit integer keys).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.routing import APIRoute
from pydantic import Field

from service.errors import Invalid

MAX_ID = 2**31 - 1
INT64 = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str, where: str) -> str:
    """``value`` unless it holds NUL, control characters or lone surrogates (then 422)."""
    bad = _BAD_TEXT.search(value)
    if bad is not None:
        raise Invalid(f"{where} holds a forbidden character U+{ord(bad.group()):04X}")
    return value


def _check(value: Any, where: str) -> None:
    if isinstance(value, str):
        clean_text(value, where)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -INT64 - 1 <= value <= INT64:
            raise Invalid(f"{where}: integer {str(value)[:20]}... does not fit in 64 bits")
    elif isinstance(value, dict):
        for key, item in value.items():
            clean_text(key, f"{where} key")
            _check(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")


def _no_constant(name: str) -> Any:
    raise Invalid(f"{name} is not a JSON number; send a finite number")


def loads(raw: str | bytes, where: str = "body") -> Any:
    """Strict JSON: no NaN/Infinity, clean strings, 64-bit integers; otherwise 422."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{where} is not valid JSON ({exc.msg} at position {exc.pos})") from exc
    except (UnicodeDecodeError, RecursionError) as exc:
        raise Invalid(f"{where} is not valid JSON ({type(exc).__name__})") from exc
    _check(value, where)
    return value


class StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class StrictRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictRequest(request.scope, request.receive))

        return strict


def api_router(tag: str) -> APIRouter:
    """A router whose JSON bodies are parsed strictly."""
    return APIRouter(tags=[tag], route_class=StrictRoute)
