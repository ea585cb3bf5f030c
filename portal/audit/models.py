"""The audit log's one table. There is no update or delete path anywhere in the code, and on
PostgreSQL a trigger refuses both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at", "id"),
        Index("ix_audit_entry_actor", "actor_id", "at"),
        Index("ix_audit_entry_area", "area", "action", "at"),
        Index("ix_audit_entry_target", "area", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    area: Mapped[str] = mapped_column(String(20))  # requests, aid, minutes, accounts, ...
    action: Mapped[str] = mapped_column(String(40))  # a key named by an AuditAction
    target: Mapped[str] = mapped_column(String(40), default="")  # a reference or an id
    detail: Mapped[str] = mapped_column(String(300), default="")  # never an ID or phone number

    actor = relationship("User", lazy="joined")
