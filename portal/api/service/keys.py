"""API keys: issued by the director or admin, kept only as a hash, shown once, revocable.

A key is a long random secret, so a plain SHA-256 of it is enough to find it again and
useless to whoever reads the table. Every issue, revocation and use lands in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.api.models import ApiKey
from portal.audit.service import record
from portal.clock import utcnow
from portal.errors import DomainError

AREA = "api"
SECRET_PREFIX = "linli_"  # noqa: S105 - a label in front of every key, not a secret
MAX_SECRET_LENGTH = 100


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_key(session: Session, actor, *, name: str, may_read_details: bool,
          may_create: bool) -> tuple[ApiKey, str]:
    """A new key and its secret: the only time the secret exists outside the client."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise DomainError(_l("Give the key the name of the system that will use it "
                             "(at most 60 characters)."), field="name")
    if not (may_read_details or may_create):
        raise DomainError(_l("Choose what the key may do."), field="may_create")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=secret[:12], secret_hash=hash_secret(secret),
                 may_read_details=may_read_details, may_create=may_create,
                 created_by_id=actor.id, created_at=utcnow())
    session.add(key)
    session.flush()
    record(session, actor, AREA, "key_issued", target=f"key {key.id}", detail=name)
    return key, secret


def revoke_key(session: Session, actor, key: ApiKey) -> None:
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    record(session, actor, AREA, "key_revoked", target=f"key {key.id}", detail=key.name)


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The key with this secret, revoked or not; None for anything else."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    return session.scalar(select(ApiKey).where(ApiKey.secret_hash == hash_secret(secret)))


def record_key_use(session: Session, key: ApiKey, action: str, detail: str = "") -> None:
    """One line in the audit log for each call made with a key (no actor: a system)."""
    key.last_used_at = utcnow()
    record(session, None, AREA, action, target=f"key {key.id}",
           detail=f"{key.name}: {detail}" if detail else key.name)


def keys_statement() -> Select:
    return select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(),
                                   ApiKey.id.desc())
