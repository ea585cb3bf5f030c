"""The care register (关爱对象, 一人一档), its history of changes, visits and pending imports."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.db import Base, EncryptedText, UTCDateTime
from portal.enums import LabelledEnum
from portal.web.address import address


class CareCategory(LabelledEnum):
    ALONE = "alone", _l("Elderly person living alone")
    EMPTY_NEST = "empty_nest", _l("Elderly person whose children live away")
    VERY_OLD = "very_old", _l("Person over 80")
    DISABLED = "disabled", _l("Person with a disability")
    SUBSISTENCE = "subsistence", _l("Minimum living allowance household")
    EXTREME_HARDSHIP = "extreme_hardship", _l("Person in extreme hardship")
    LEFT_BEHIND_CHILD = "left_behind_child", _l("Child whose parents work away")
    OTHER = "other", lazy_pgettext("care category", "Other")


class CareNeed(LabelledEnum):
    HOME_VISIT = "home_visit", _l("Home visits")
    MEALS = "meals", _l("Meals")
    HOME_NURSING = "home_nursing", _l("Nursing at home")
    REHABILITATION = "rehabilitation", _l("Rehabilitation")
    ERRANDS = "errands", _l("Errands done for them")
    COUNSELLING = "counselling", _l("Someone to talk to")
    OTHER = "other", lazy_pgettext("care need", "Other")


class VisitFrequency(LabelledEnum):
    WEEKLY = "weekly", _l("Every week")
    FORTNIGHTLY = "fortnightly", _l("Every two weeks")
    MONTHLY = "monthly", _l("Every month")

    @property
    def days(self) -> int:
        return {"weekly": 7, "fortnightly": 14, "monthly": 30}[self.value]


class RiskLevel(LabelledEnum):
    LOW = "low", lazy_pgettext("risk", "Low")
    MEDIUM = "medium", lazy_pgettext("risk", "Medium")
    HIGH = "high", lazy_pgettext("risk", "High")


class LegalBasis(LabelledEnum):
    """PIPL Art. 13 and 29: why we may keep this person's sensitive information."""

    CONSENT = "consent", _l("The person (or their guardian) gave separate consent")
    PUBLIC_DUTY = "public_duty", _l("Needed for a legal duty of the community (civil affairs)")
    VITAL_INTEREST = "vital_interest", _l("Needed to protect their life, health or property")


class VisitOutcome(LabelledEnum):
    WELL = "well", _l("Met them, all well")
    NEEDS_HELP = "needs_help", _l("Met them, they need help")
    NOT_HOME = "not_home", _l("Nobody at home")
    REFUSED = "refused", _l("They did not want a visit")


class CarePerson(Base):
    __tablename__ = "care_person"
    __table_args__ = (
        # A grid worker's visits due, soonest first; the coverage figures group by worker.
        Index("ix_care_person_worker_due", "grid_worker_id", "next_visit_on"),
        # The whole register in the same order, and its overdue filter.
        Index("ix_care_person_due", "next_visit_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Phone if known, else name and address: what makes a second import change, not add.
    natural_key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    building: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(String(200))
    needs: Mapped[str] = mapped_column(String(200), default="")
    grid_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                  ondelete="SET NULL"))
    frequency: Mapped[str] = mapped_column(String(20))
    risk: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str] = mapped_column(String(20))
    consent_on: Mapped[date] = mapped_column(Date)
    # Sensitive personal information, encrypted at rest.
    health: Mapped[str | None] = mapped_column(EncryptedText)
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    contacts: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    next_visit_on: Mapped[date] = mapped_column(Date)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @property
    def address(self) -> str:
        return address(self.building, self.unit, self.room)

    @property
    def category_list(self) -> list[CareCategory]:
        return [CareCategory(v) for v in self.categories.split(",") if v]

    @property
    def need_list(self) -> list[CareNeed]:
        return [CareNeed(v) for v in self.needs.split(",") if v]

    @property
    def frequency_enum(self) -> VisitFrequency:
        return VisitFrequency(self.frequency)

    @property
    def risk_enum(self) -> RiskLevel:
        return RiskLevel(self.risk)

    @property
    def legal_basis_enum(self) -> LegalBasis:
        return LegalBasis(self.legal_basis)


class CareChange(Base):
    """One dated line of a person's file: who changed which fields (never the values)."""

    __tablename__ = "care_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("care_person.id", ondelete="CASCADE"),
                                           index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fields: Mapped[str] = mapped_column(String(300))


class CareVisit(Base):
    __tablename__ = "care_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("care_person.id", ondelete="CASCADE"),
                                           index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    visited_on: Mapped[date] = mapped_column(Date)
    was_due_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    needs_seen: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str | None] = mapped_column(EncryptedText)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id",
                                                            ondelete="SET NULL"), index=True)
    referral_needed: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def outcome_enum(self) -> VisitOutcome:
        return VisitOutcome(self.outcome)

    @property
    def on_time(self) -> bool:
        return self.visited_on <= self.was_due_on


class CareImport(Base):
    """An uploaded register between its preview and its confirmation, for one staff member:
    the parsed rows stay here (encrypted), so confirming never trusts what the browser sends."""

    __tablename__ = "care_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    rows: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralStatus(LabelledEnum):
    OPEN = "open", lazy_pgettext("referral", "Waiting to be taken")
    ACCEPTED = "accepted", lazy_pgettext("referral", "Being dealt with")
    DONE = "done", lazy_pgettext("referral", "Done")
    DECLINED = "declined", lazy_pgettext("referral", "Declined")


class CareReferral(Base):
    """A case handed from one role to another (转介, 跨岗联动): about a person in care or a
    request, with a deadline in working days; the outcome goes back to who referred it."""

    __tablename__ = "care_referral"
    __table_args__ = (
        # The receiving role's queue and the referrer's own list, unfinished by deadline.
        Index("ix_care_referral_role", "to_role", "closed_at", "due_on", "id"),
        Index("ix_care_referral_referrer", "referrer_id", "closed_at", "due_on", "id"),
        Index("ix_care_referral_all", "closed_at", "due_on", "id"),
        # The overdue job: open or accepted, not yet told, past the day.
        Index("ix_care_referral_overdue", "status", "overdue_told_at", "due_on"),
        Index("ix_care_referral_person", "person_id", "created_at"),
        Index("ix_care_referral_request", "request_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("care_person.id",
                                                             ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id",
                                                              ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("care_visit.id",
                                                            ondelete="SET NULL"))
    to_role: Mapped[str] = mapped_column(String(20))
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # What the colleague should know, and what they did: may hold sensitive facts.
    note: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(12), default="open")
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    overdue_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 代办: the aid application civil affairs started from it, on the family's behalf.
    aid_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("aid_application.id", ondelete="SET NULL"), index=True)

    @property
    def status_enum(self) -> ReferralStatus:
        return ReferralStatus(self.status)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "declined")

    def overdue(self, today: date) -> bool:
        return not self.finished and self.due_on < today
