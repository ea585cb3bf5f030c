"""Keeping a form that arrived without a sign-in, binding it at sign-in, giving it back once.
Never commits."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.files.models import StoredFile
from portal.keptforms.models import KeptForm

# What one kept form may hold: a form's fields, never a page of text from a hand-made POST.
MAX_FIELDS = 200
MAX_CHARACTERS = 50_000
KEY_LENGTH = 43  # secrets.token_urlsafe(32)
BATCH = 500


def is_secret(name: str) -> bool:
    """Fields never kept: passwords and CSRF tokens (whatever the form's prefix)."""
    name = name.lower()
    return "password" in name or name.endswith("csrf_token")


def keepable_fields(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The fields worth keeping, or None when there are more than a form has."""
    kept = [(name, value) for name, value in pairs
            if isinstance(value, str) and not is_secret(name)]
    if len(kept) > MAX_FIELDS or sum(len(n) + len(v) for n, v in kept) > MAX_CHARACTERS:
        return None
    return kept


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _lookup(key: str) -> str:
    return hashlib.sha256(b"kept-form lookup\0" + key.encode()).hexdigest()


def _cipher(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"kept-form data\0" + key.encode())
                                           .digest()))


def _find(session: Session, key: str | None) -> KeptForm | None:
    if not key or len(key) != KEY_LENGTH:
        return None
    return session.scalar(select(KeptForm).where(KeptForm.lookup == _lookup(key)))


def kept_until(session: Session, key: str | None, now: datetime) -> datetime | None:
    """Until when a form waiting for its sign-in is kept (None: nothing waits)."""
    kept = _find(session, key)
    if kept is None or kept.user_id is not None or kept.expires_at <= now:
        return None
    return kept.expires_at


def keep(session: Session, *, key: str, action: str, page: str,
         fields: list[tuple[str, str]], file_tokens: Iterable[str],
         known_user_id: int | None, now: datetime, hours: float) -> KeptForm:
    """Keep ``fields`` (already without secrets) and the pending uploads ``file_tokens``
    under ``key``. Whatever the browser kept before under an older key is dropped by the
    caller (``drop``): one browser, one kept form."""
    kept = KeptForm(lookup=_lookup(key), known_user_id=known_user_id, action=action[:1000],
                    page=page[:1000], file_tokens=" ".join(file_tokens),
                    payload=_cipher(key).encrypt(json.dumps(fields).encode()).decode(),
                    created_at=now, expires_at=now + timedelta(hours=hours))
    session.add(kept)
    session.flush()
    return kept


def bind(session: Session, key: str | None, user_id: int, now: datetime) -> KeptForm | None:
    """At sign-in: the browser's kept form becomes this account's, and so do its files.

    When the lapsed session named another account, the kept form is dropped: what one person
    typed is never shown to another who signs in on the same phone. A form already bound
    (to anyone) is not bound again."""
    kept = _find(session, key)
    if kept is None or kept.expires_at <= now or kept.user_id is not None:
        return None
    if kept.known_user_id is not None and kept.known_user_id != user_id:
        drop(session, kept)
        return None
    kept.user_id = user_id
    for stored in _unclaimed_files(session, kept):
        stored.owner_id = user_id
    return kept


def take(session: Session, key: str | None, user_id: int, page: str,
         now: datetime) -> tuple[str, list[tuple[str, str]]] | None:
    """Once only: (the form's action path, its fields) for the account that bound it, on the
    page it was sent from. The row is gone afterwards; the files stay as pending uploads."""
    kept = _find(session, key)
    if (kept is None or kept.user_id != user_id or kept.page != page
            or kept.expires_at <= now):
        return None
    try:
        fields = [tuple(pair) for pair in json.loads(_cipher(key).decrypt(kept.payload.encode()))]
    except (InvalidToken, ValueError, TypeError):
        fields = None
    session.delete(kept)
    return (kept.action, fields) if fields is not None else None


def drop(session: Session, kept: KeptForm) -> None:
    """Delete a kept form and the files no account has claimed yet."""
    from portal.files.service import file_path
    from portal.files.storage import remove_after_commit

    for stored in _unclaimed_files(session, kept):
        session.delete(stored)
        remove_after_commit(session, file_path(stored))
    session.delete(kept)


def drop_key(session: Session, key: str | None) -> None:
    kept = _find(session, key)
    if kept is not None and kept.user_id is None:
        drop(session, kept)


def remove_expired(session: Session, now: datetime) -> int:
    """The clean-up: kept forms past their time, with their unclaimed files."""
    expired = session.scalars(select(KeptForm).where(KeptForm.expires_at <= now)
                              .limit(BATCH)).all()
    for kept in expired:
        drop(session, kept)
    return len(expired)


def _unclaimed_files(session: Session, kept: KeptForm) -> list[StoredFile]:
    tokens = kept.file_tokens.split()
    if not tokens:
        return []
    return list(session.scalars(select(StoredFile).where(
        StoredFile.token.in_(tokens), StoredFile.owner_id.is_(None),
        StoredFile.attached.is_(False))))
