"""API keys: the admin key from settings, and per-project keys stored as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import ApiKey
from service.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    admin: bool
    project_id: int | None = None

    def check_project(self, project_id: int) -> None:
        if not self.admin and self.project_id != project_id:
            raise Forbidden("this API key does not give access to that project")

    def check_owner(self, project_id: int | None) -> None:
        """Rows of a project need that project's key; rows of no project need the admin key."""
        if project_id is None:
            self.require_admin()
        else:
            self.check_project(project_id)

    def require_admin(self) -> None:
        if not self.admin:
            raise Forbidden("this operation needs the admin key")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_project_key(session: Session, project_id: int) -> str:
    """A new key for one project; only its hash is stored, the key is returned once."""
    key = "lq_" + secrets.token_urlsafe(32)
    session.add(ApiKey(project_id=project_id, key_hash=hash_key(key), prefix=key[:8]))
    session.flush()
    return key


def authenticate(session: Session, key: str | None, admin_key: str) -> Principal:
    if not key:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    if hmac.compare_digest(key.encode(), admin_key.encode()):
        return Principal(admin=True)
    row = session.execute(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None:
        raise Unauthorized("invalid API key")
    return Principal(admin=False, project_id=row.project_id)
