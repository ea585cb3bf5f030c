from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.enums import LabelledEnum
from portal.files.models import StoredFile


class Category(LabelledEnum):
    FESTIVAL = "festival", _l("Festivals")
    FAMILY = "family", _l("Parents and children")
    SENIOR = "senior", _l("Seniors' recreation")
    LECTURE = "lecture", _l("Training and talks")
    HERITAGE = "heritage", _l("Intangible heritage")
    VOLUNTEER = "volunteer", _l("Volunteering")
    SPORTS = "sports", _l("Sports and fitness")


class Status(LabelledEnum):
    DRAFT = "draft", lazy_pgettext("activity status", "Draft")
    PUBLISHED = "published", lazy_pgettext("activity status", "Published")
    CANCELLED = "cancelled", lazy_pgettext("activity status", "Cancelled")


class SignupStatus(LabelledEnum):
    CONFIRMED = "confirmed", lazy_pgettext("sign-up status", "Confirmed")
    WAITLISTED = "waitlisted", lazy_pgettext("sign-up status", "Waitlisted")
    CANCELLED = "cancelled", lazy_pgettext("sign-up status", "Cancelled")


# The sign-ups that hold a seat or a place in the queue.
ACTIVE = (SignupStatus.CONFIRMED.value, SignupStatus.WAITLISTED.value)


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_status_starts", "status", "starts_at"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("max_companions BETWEEN 0 AND 3", name="companions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    audience: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    max_companions: Mapped[int] = mapped_column(default=0)
    signup_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cover_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The "new activity" form's idempotency key: a second submit finds the first activity.
    form_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cover: Mapped[StoredFile | None] = relationship()

    @property
    def category_enum(self) -> Category:
        return Category(self.category)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class Signup(Base):
    """One resident's place at an activity: confirmed, waitlisted or cancelled.

    ``seq`` is the order of arrival, handed out while the activity row is locked, so the
    waitlist moves in exactly the order people pressed the button.
    """

    __tablename__ = "activity_signup"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id", name="uq_activity_signup_person"),
        UniqueConstraint("activity_id", "seq", name="uq_activity_signup_seq"),
        UniqueConstraint("activity_id", "checkin_code", name="uq_activity_signup_code"),
        Index("ix_activity_signup_activity_status", "activity_id", "status", "seq"),
        Index("ix_activity_signup_user", "user_id", "status"),
        CheckConstraint("companions BETWEEN 0 AND 3", name="companions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    companions: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12))
    seq: Mapped[int]
    checkin_code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()

    @property
    def seats(self) -> int:
        return 1 + self.companions

    @property
    def status_enum(self) -> SignupStatus:
        return SignupStatus(self.status)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(Base):
    """The secret address of a resident's personal activity calendar; reset replaces it."""

    __tablename__ = "activity_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(48), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
