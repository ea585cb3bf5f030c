from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.web.address import address


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(Base):
    __tablename__ = "user"
    # Role, then active: a survey's audience of all active residents is counted off the
    # index alone (200,000 residents: a row lookup each for `active` took 200 ms).
    __table_args__ = (Index("ix_user_role_active", "role", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.RESIDENT.value)
    active: Mapped[bool] = mapped_column(default=True)
    building: Mapped[str | None] = mapped_column(String(20), index=True)
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(16))
    # 长辈版: larger text and targets, the simpler home (portal/web/care.py).
    care_mode: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A deputy director's teams (分管), comma-separated role keys: see accounts/oversight.py.
    oversees: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Part of the login cookie: rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list[UserGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="UserGrant.user_id"
    )

    # When the current sign-in began (read from the login cookie): staff sessions and a
    # resident's "keep me signed in" last a fixed time from it. Not a column.
    signed_in_at = None

    # flask-login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session and the remember-me cookie carry: who, the account's current
        session token (rotated by signing out), and when this sign-in began."""
        began = self.signed_in_at or utcnow()
        return f"{self.id}:{self.session_token}:{int(began.timestamp())}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role_enum.is_staff

    @property
    def oversees_teams(self) -> list[str]:
        return [team for team in (self.oversees or "").split(",") if team]

    @property
    def permissions(self) -> frozenset[Permission]:
        return _permissions_of(self.role, frozenset(grant.permission for grant in self.grants))

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def address(self) -> str:
        """3号楼2单元502室, in the reader's language."""
        return address(self.building, self.unit, self.room)


class UserGrant(Base):
    """A permission handed to one staff member on top of their role."""

    __tablename__ = "user_grant"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    permission: Mapped[str] = mapped_column(String(40))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])


class AuthAttempt(Base):
    """One counted attempt (a wrong password, a registration) for the rate limits.

    In the database, so every worker and every app server sees the same count without
    Redis. ``subject`` is a keyed hash of the phone number or address, never either itself.
    """

    __tablename__ = "auth_attempt"
    __table_args__ = (Index("ix_auth_attempt_subject", "kind", "subject", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


@lru_cache(maxsize=256)
def _permissions_of(role: str, granted: frozenset[str]) -> frozenset[Permission]:
    """A role's permissions and the grants on top: the same few sets, asked for on every
    page (the menu, the checks), so each is built once."""
    return ROLE_PERMISSIONS[Role(role)] | {Permission(permission) for permission in granted}
