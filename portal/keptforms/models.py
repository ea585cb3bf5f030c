from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.db import Base, UTCDateTime


class KeptForm(Base):
    """A resident form that arrived without a sign-in, kept until the same browser signs in.

    The browser holds the key (a cookie); the row holds only its hash (``lookup``) and the
    fields encrypted with a key derived from it, so the table alone can neither find nor read
    a draft. ``known_user_id`` is the account the browser's lapsed session named, if any (only
    that account may then restore it); ``user_id`` is the account that signed in and bound it.
    ``file_tokens`` name the pending uploads kept with it (for the clean-up, not secret).
    """

    __tablename__ = "kept_form"
    __table_args__ = (Index("ix_kept_form_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lookup: Mapped[str] = mapped_column(String(64), unique=True)
    known_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(1000))
    page: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[str] = mapped_column(Text)
    file_tokens: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
