"""Follow-up of bad ratings (差评回访) and the stored monthly reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.db import Base, UTCDateTime


class RatingFollowUp(Base):
    """One unhappy rating of a request, to be followed up by a call or visit."""

    __tablename__ = "rating_follow_up"
    __table_args__ = (Index("ix_rating_follow_up_rated", "rated_at"),
                      Index("ix_rating_follow_up_open", "done_at", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    # The rating's event: a request rated unhappy twice has two follow-ups.
    event_id: Mapped[int] = mapped_column(
        ForeignKey("request_event.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int]
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the end of due_on, in Shanghai
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    method: Mapped[str | None] = mapped_column(String(10))  # call / visit
    outcome: Mapped[str | None] = mapped_column(String(500))
    fix_plan: Mapped[str | None] = mapped_column(String(500))
    fix_by: Mapped[date | None] = mapped_column(Date)
    view_changed: Mapped[bool | None]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request = relationship("ServiceRequest", lazy="joined", innerjoin=True)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")


class MonthlyReport(Base):
    """A month's figures as they stood when the month was snapshotted; never recomputed."""

    __tablename__ = "monthly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
