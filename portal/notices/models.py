from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.enums import LabelledEnum


class NoticeKind(LabelledEnum):
    NOTICE = "notice", lazy_pgettext("notice kind", "Notice")
    POLICY = "policy", _l("Policy explained")
    GUIDE = "guide", _l("How-to guide")


class AlertLevel(LabelledEnum):
    """China's four warning colours, mildest first."""

    BLUE = "blue", _l("Blue warning")
    YELLOW = "yellow", _l("Yellow warning")
    ORANGE = "orange", _l("Orange warning")
    RED = "red", _l("Red warning")

    @property
    def rank(self) -> int:
        return list(AlertLevel).index(self)


class AlertKind(LabelledEnum):
    FLOOD = "flood", _l("Flooding")
    TYPHOON = "typhoon", _l("Typhoon")
    FIRE = "fire", _l("Fire")
    HEALTH = "health", _l("Public health")
    OTHER = "other", _l("Other emergency")


class Notice(Base):
    """An announcement. Published on saving; it leaves the list when it expires or is withdrawn."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_listing", "withdrawn_at", "pinned", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"))
    pinned: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    form_key: Mapped[str] = mapped_column(String(40), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attachment = relationship("StoredFile", lazy="joined")

    @property
    def kind_enum(self) -> NoticeKind:
        return NoticeKind(self.kind)


class NoticeRead(Base):
    """A signed-in resident opened this notice."""

    __tablename__ = "notice_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"),
                                           primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """An emergency warning: a banner on every page and the board until it expires."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_active", "withdrawn_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    form_key: Mapped[str] = mapped_column(String(40), unique=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def level_enum(self) -> AlertLevel:
        return AlertLevel(self.level)

    @property
    def kind_enum(self) -> AlertKind:
        return AlertKind(self.kind)
