"""Safety check-ins (平安报): one per emergency warning, and one entry per person asked."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, EncryptedText, UTCDateTime
from portal.enums import LabelledEnum
from portal.web.address import address


class Answer(LabelledEnum):
    PENDING = "pending", _l("Not heard from yet")
    SAFE = "safe", _l("Safe")
    HELP = "help", _l("Needs help")


class HelpKind(LabelledEnum):
    MOVE = "move", _l("Moving to safety")
    MEDICAL = "medical", _l("Medical care")
    SUPPLIES = "supplies", _l("Supplies (water, food, medicine)")
    OTHER = "other", lazy_pgettext("help kind", "Other")


# The live list's order: who asked for help, then people in care not heard from, then everyone
# else not heard from; the safe last. Stored, so that one index gives the order.
RANK_HELP, RANK_CARE_PENDING, RANK_PENDING, RANK_SAFE = 0, 1, 2, 3


class Checkin(Base):
    __tablename__ = "safety_checkin"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"),
                                          unique=True)
    title: Mapped[str] = mapped_column(String(200))  # the warning's text, when it was opened
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    alert = relationship("Alert", lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CheckinEntry(Base):
    """One person asked: a resident with an account, or a person in care without one.

    Made for everyone when the check-in opens, so that "not heard from" is a row the list can
    order; a resident who registers later gets theirs when they answer (an upsert on the
    unique key, so each person is counted once however often or however fast they answer).
    """

    __tablename__ = "safety_checkin_entry"
    __table_args__ = (
        UniqueConstraint("checkin_id", "user_id", name="uq_checkin_entry_user"),
        UniqueConstraint("checkin_id", "care_person_id", name="uq_checkin_entry_care_person"),
        # The live list: everyone, one grid, one building; each ends in the list's order.
        Index("ix_checkin_entry_order", "checkin_id", "rank", "building", "id"),
        Index("ix_checkin_entry_grid", "checkin_id", "grid_worker_id", "rank", "building", "id"),
        Index("ix_checkin_entry_building", "checkin_id", "building", "rank", "id"),
        # The board's fingerprint: the latest answer, one index entry.
        Index("ix_checkin_entry_answered", "checkin_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("safety_checkin.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    care_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_person.id", ondelete="CASCADE"))
    building: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    # building|unit|room: the board and the totals count households (户), not people.
    household: Mapped[str] = mapped_column(String(64), default="")
    grid_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                  ondelete="SET NULL"))
    in_care: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=Answer.PENDING.value)
    rank: Mapped[int] = mapped_column(SmallInteger, default=RANK_PENDING)
    kind: Mapped[str | None] = mapped_column(String(10))
    people: Mapped[int | None] = mapped_column()
    # What someone in need wrote: may say something about their health.
    note: Mapped[str | None] = mapped_column(EncryptedText)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                  ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    care_person = relationship("CarePerson")

    @property
    def status_enum(self) -> Answer:
        return Answer(self.status)

    @property
    def kind_enum(self) -> HelpKind | None:
        return HelpKind(self.kind) if self.kind else None

    @property
    def name(self) -> str:
        person = self.user or self.care_person
        return person.name if person else ""

    @property
    def phone(self) -> str | None:
        person = self.user or self.care_person
        return person.phone if person else None

    @property
    def address(self) -> str:
        return address(self.building, self.unit, self.room)
