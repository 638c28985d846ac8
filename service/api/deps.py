"""Dependencies: the request's session (commit on success) and the caller's principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from service.db.engine import session_scope
from service.domain.auth import Principal, authenticate
from service.settings import get_settings


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def get_principal(authorization: Annotated[str | None, Header()] = None) -> Principal:
    key = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        key = value.strip() if scheme.lower() == "bearer" else None
    with session_scope() as session:
        return authenticate(session, key, get_settings().resolved_admin_key())


Db = Annotated[Session, Depends(get_db)]
Caller = Annotated[Principal, Depends(get_principal)]
