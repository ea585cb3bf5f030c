"""Rate limits on sign-in and registration, counted in the database.

Every gunicorn worker (and every app server) shares the database, so the count is the same
whichever worker answers, with no Redis needed. An attempt is *reserved* first (a row,
committed at once in a short transaction of its own, apart from the request's), then its
place among the attempts in the window decides: so even two attempts at the same moment
can't both be the 5th. The row stays when the attempt counts (a wrong password) and is
removed when it does not (a right password, a refusal, an error).

Limits use the same words as the settings: "5 per 15 minutes", several joined by ";".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import parse_many
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import AuthAttempt

LOGIN_ACCOUNT = "login-account"
LOGIN_ADDRESS = "login-address"
REGISTER_ADDRESS = "register-address"

# Rows older than this are of no use to any limit and are pruned as new ones come in.
KEEP = timedelta(days=2)


def subject_key(secret: str, kind: str, subject: str) -> str:
    """A keyed hash: the table never holds a phone number or an address."""
    digest = hmac.new(secret.encode(), f"{kind}\0{subject}".encode(), hashlib.sha256)
    return digest.hexdigest()


@dataclass(frozen=True)
class Windows:
    """Parsed limits: (how many, over how long) pairs."""

    items: tuple[tuple[int, timedelta], ...]

    @classmethod
    def parse(cls, text: str) -> Windows:
        return cls(tuple((item.amount, timedelta(seconds=item.get_expiry()))
                         for item in parse_many(text)))


class Attempt:
    """One attempt under one or more limits; use it as a context manager.

    On entry the attempt is reserved (committed in a session of its own, so every other
    worker counts it before this one checks a password) and ``over_limit`` says whether it
    came after a limit. On exit it is released again unless ``count()`` was called:
    a refusal, an error (a 500) or a right password leaves no trace.
    """

    def __init__(self, make_session, secret: str, limits: list[tuple[str, str, str]],
                 now: datetime):
        self._make_session = make_session
        self._secret = secret
        self._limits = limits  # (kind, subject, "5 per 15 minutes")
        self._now = now
        self._ids: list[int] = []
        self._kept = False
        self.over_limit = False

    def __enter__(self) -> Attempt:
        with self._make_session() as session:
            rows = [AuthAttempt(kind=kind, subject=subject_key(self._secret, kind, subject),
                                at=self._now) for kind, subject, _limit in self._limits]
            session.add_all(rows)
            session.execute(delete(AuthAttempt).where(AuthAttempt.at < self._now - KEEP))
            session.commit()
            self._ids = [row.id for row in rows]
            self.over_limit = any(_after_limit(session, row, limit) for row, (*_k, limit)
                                  in zip(rows, self._limits, strict=True))
        return self

    def count(self) -> None:
        """This attempt counts towards the limits (a wrong password, a registration)."""
        self._kept = True

    def forget(self, kind: str, subject: str) -> None:
        """Clear what was counted for ``subject`` (an account that has just signed in)."""
        with self._make_session() as session:
            session.execute(delete(AuthAttempt).where(
                AuthAttempt.kind == kind,
                AuthAttempt.subject == subject_key(self._secret, kind, subject)))
            session.commit()

    def __exit__(self, *_exc) -> None:
        if self._kept or not self._ids:
            return
        with self._make_session() as session:
            session.execute(delete(AuthAttempt).where(AuthAttempt.id.in_(self._ids)))
            session.commit()


def _after_limit(session: Session, row: AuthAttempt, limits: str) -> bool:
    """True when ``row`` takes the count past the limit in any of its windows.

    Every committed attempt counts, later ones included: of two attempts racing for the
    last place, one or both are refused, never both let through.
    """
    for amount, period in Windows.parse(limits).items:
        counted = session.scalar(select(func.count()).select_from(AuthAttempt).where(
            AuthAttempt.kind == row.kind, AuthAttempt.subject == row.subject,
            AuthAttempt.at > row.at - period))
        if counted > amount:
            return True
    return False
