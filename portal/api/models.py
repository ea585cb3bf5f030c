"""The open interface's own rows: keys issued to other systems, the extra questions a
category asks, and what a request created through the API came with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.service_requests.models import RequestCategory


class ApiKey(Base):
    """A key issued to one integration. Only a hash of the secret is kept: it is shown once."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # The first characters of the key, so staff can tell keys apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    may_read_details: Mapped[bool] = mapped_column(default=False)
    may_create: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ServiceQuestion(Base):
    """An extra question a category asks ("Is anyone in danger?"): the attributes of its
    Open311 service definition."""

    __tablename__ = "api_service_question"
    __table_args__ = (Index("ix_api_service_question_category", "category_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("request_category.id", ondelete="CASCADE"))
    prompt_zh: Mapped[str] = mapped_column(String(200))
    prompt_en: Mapped[str] = mapped_column(String(200))
    datatype: Mapped[str] = mapped_column(String(20), default="string")
    required: Mapped[bool] = mapped_column(default=False)
    # The choices of a list question, one a line; each is its own key.
    options: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[RequestCategory] = relationship(lazy="joined", innerjoin=True)

    @property
    def code(self) -> str:
        return f"q{self.id}"

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def prompt(self, locale: str) -> str:
        return self.prompt_zh if str(locale).startswith("zh") else self.prompt_en


class ApiSubmission(Base):
    """What a request created through the API came with beyond the request itself: the key,
    the token handed back, and the media URL the client gave."""

    __tablename__ = "api_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="SET NULL"),
                                                   index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    media_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
