"""Dependencies: the request's session and the caller's principal.

``Db`` commits when the handler returns, before the response is sent (``scope="function"``), so a
failed commit answers an error, never a 200 for rolled back work. ``ReadDb`` is for handlers that
only read: on SQLite it never takes the write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service.db.engine import session_scope
from service.domain.auth import Principal, authenticate
from service.settings import get_settings


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def get_read_db() -> Iterator[Session]:
    with session_scope(readonly=True) as session:
        yield session


# the schema's bearer security scheme (Swagger's Authorize button, generated clients' token); a
# missing or non-bearer header reaches authenticate as no key, which answers our 401 envelope
bearer = HTTPBearer(auto_error=False, description="a project key or the admin key")


def get_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal:
    key = credentials.credentials.strip() if credentials is not None else None
    with session_scope(readonly=True) as session:
        return authenticate(session, key, get_settings().resolved_admin_key())


Db = Annotated[Session, Depends(get_db, scope="function")]
ReadDb = Annotated[Session, Depends(get_read_db, scope="function")]
Caller = Annotated[Principal, Depends(get_principal)]
