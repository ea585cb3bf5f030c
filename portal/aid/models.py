"""Aid types, applications, their household, materials, stages and payments. Who looked at or
changed an application is in the one audit log (portal/audit)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import UNMODELLED_INDEXES, Base, UTCDateTime


class AidType(Base):
    __tablename__ = "aid_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    eligibility_zh: Mapped[str] = mapped_column(Text, default="")
    eligibility_en: Mapped[str] = mapped_column(Text, default="")
    # [{"key": "id_card", "zh": "身份证", "en": "ID card"}, ...]
    materials: Mapped[list] = mapped_column(JSON, default=list)
    needs_notice: Mapped[bool] = mapped_column(default=False)  # 公示 before the decision
    asks_assets: Mapped[bool] = mapped_column(default=False)  # housing, vehicles, savings
    has_kinds: Mapped[bool] = mapped_column(default=False)  # 临时救助: 急难型 / 支出型
    order: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AidApplication(Base):
    __tablename__ = "aid_application"
    __table_args__ = (
        Index("ix_aid_application_queue", "stage", "stage_due_on"),
        Index("ix_aid_application_type_stage", "type_id", "stage"),
        Index("ix_aid_application_notice", "notice_starts_on", "notice_ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(24), unique=True)  # draft address before a ref
    start_key: Mapped[str] = mapped_column(String(40), unique=True)  # idempotency of "start"
    ref: Mapped[str | None] = mapped_column(String(20), unique=True)
    # None for an application staff filed for someone with no account here (代办): then only
    # staff reach it.
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # 代办: the staff member who filled it in with the family, on their behalf.
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    type_id: Mapped[int] = mapped_column(ForeignKey("aid_type.id"))
    kind: Mapped[str | None] = mapped_column(String(12))  # emergency / expense
    stage: Mapped[str] = mapped_column(String(20), default="draft")
    sections_done: Mapped[list] = mapped_column(JSON, default=list)

    name: Mapped[str | None] = mapped_column(String(40))
    id_cipher: Mapped[str | None] = mapped_column(Text)
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_masked: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))

    income_fen: Mapped[int | None] = mapped_column()  # the applicant's own monthly income
    irregular_income: Mapped[bool] = mapped_column(default=False)
    housing: Mapped[str | None] = mapped_column(String(20))
    vehicles: Mapped[int | None] = mapped_column()
    savings_fen: Mapped[int | None] = mapped_column()
    circumstances: Mapped[str | None] = mapped_column(Text)

    consent_processing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    deadline_on: Mapped[date | None] = mapped_column(Date)  # 30 (or 45) working days
    extended: Mapped[bool] = mapped_column(default=False)
    stage_due_on: Mapped[date | None] = mapped_column(Date)
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    proposed_fen: Mapped[int | None] = mapped_column()
    household_size: Mapped[int | None] = mapped_column()
    approved_fen: Mapped[int | None] = mapped_column()
    start_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    decided_on: Mapped[date | None] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    review_months: Mapped[int | None] = mapped_column()

    aid_type: Mapped[AidType] = relationship(lazy="joined")
    filed_by = relationship("User", foreign_keys=[filed_by_id], lazy="joined")
    members: Mapped[list[AidMember]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="AidMember.id")
    files: Mapped[list[AidFile]] = relationship(
        cascade="all, delete-orphan", order_by="AidFile.id")
    events: Mapped[list[AidEvent]] = relationship(
        cascade="all, delete-orphan", order_by="AidEvent.id")

    @property
    def url_key(self) -> str:
        return self.ref or self.key


# The staff queue's order: applications with a stage deadline first, the soonest first, then
# those without, oldest first. Migration 0017 indexes these very expressions (a query must
# write them as here) over the applications that reached staff, once alone and once after
# the stage for the stage filter; autogenerate leaves them be (portal.db.UNMODELLED_INDEXES).
QUEUE_ORDER = (AidApplication.stage_due_on.is_(None), AidApplication.stage_due_on,
               AidApplication.id)
QUEUE_ORDER_INDEXES = ("ix_aid_application_due_order", "ix_aid_application_stage_due_order")
UNMODELLED_INDEXES.update(QUEUE_ORDER_INDEXES)


class AidMember(Base):
    __tablename__ = "aid_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    id_cipher: Mapped[str] = mapped_column(Text)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    income_fen: Mapped[int | None] = mapped_column()

    application: Mapped[AidApplication] = relationship(back_populates="members")


class AidFile(Base):
    """A stored upload linked to one checklist item (or to the investigation)."""

    __tablename__ = "aid_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), unique=True)
    stored_file = relationship("StoredFile", lazy="joined")


class AidMaterialReview(Base):
    """Staff's note on one checklist item: fine, or missing/unusable and why."""

    __tablename__ = "aid_material_review"
    __table_args__ = (UniqueConstraint("application_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(300), default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AidEvent(Base):
    """One stage change, with the notice text the resident reads on the progress page."""

    __tablename__ = "aid_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    notice: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # staff-only facts
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AidPayment(Base):
    __tablename__ = "aid_payment"
    __table_args__ = (UniqueConstraint("application_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user.id"))


class AidHoliday(Base):
    """Staff-kept calendar for years chinese_calendar doesn't know yet."""

    __tablename__ = "aid_holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(default=False)  # True: a make-up working day
    note: Mapped[str] = mapped_column(String(60), default="")
