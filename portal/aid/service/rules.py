"""The vocabulary of aid: stages, time limits (民发〔2021〕57号), the household's choices, the
reference series and working days."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import workdays
from portal.aid.models import AidHoliday
from portal.enums import LabelledEnum
from portal.errors import DomainError

AREA = "aid"  # the files area and the audit-log area of aid
REF_PREFIX = "A"  # A20261129-0003, from clock.next_daily_number

MAX_UPLOAD = 10 * 1024 * 1024
MAX_FILES = 10  # per checklist item and per upload
ACCEPT_WITHIN = 3  # working days to accept or return a submission (our office's promise)
INVESTIGATE_WITHIN = 3  # working days from acceptance to the home visit (57号)
NOTICE_DAYS = 7  # 公示期
DECIDE_WITHIN = 10  # working days after the notice
DEADLINE = 30  # working days from acceptance for the whole procedure
EXTENDED_DEADLINE = 45
# After sending, the person may take the application back to change it for this long; until
# then it has not reached staff (issue 17: an undo never reaches them as a withdrawal).
UNDO_WINDOW = timedelta(minutes=10)


class Stage(LabelledEnum):
    """Where an application is; the last three only name events on its timeline."""

    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    RETURNED = "returned", _l("Returned for materials")
    ACCEPTED = "accepted", _l("Accepted")
    INVESTIGATION = "investigation", _l("Household investigation")
    NOTICE = "notice", _l("Public notice")
    APPROVED = "approved", _l("Approved")
    REFUSED = "refused", _l("Refused")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    EMERGENCY_PAID = "emergency_paid", _l("Emergency help paid")
    COMPLETED = "completed", _l("Completed")
    PAYMENT = "payment", _l("Payment")
    REVIEW = "review", _l("Periodic review")
    EXTENDED = "extended", _l("Time limit extended")


# Keyed by the members, which equal their string values: STAGE_LABELS["draft"] works.
STAGE_LABELS = {stage: stage.label for stage in Stage}

SECTIONS = ("applicant", "household", "income", "materials", "consent")
EDITABLE = ("draft", "returned")
BEFORE_DECISION = ("draft", "submitted", "returned", "accepted", "investigation", "notice")
OPEN_STAGES = ("submitted", "accepted", "investigation", "notice", "emergency_paid")
QUEUE_STAGES = ("submitted", "returned", "accepted", "investigation", "notice",
                "emergency_paid", "approved", "refused", "completed", "withdrawn")
FINAL = ("approved", "refused", "completed", "withdrawn")

# What the applicant is told at each stage, naming the kind of aid (in each language).
STAGE_MESSAGES = {
    "submitted": _l("We received your application for %(aid)s (%(ref)s)."),
    "returned": _l("Your application for %(aid)s (%(ref)s) needs more materials. Please see "
                   "what to send."),
    "accepted": _l("Your application for %(aid)s (%(ref)s) has been accepted."),
    "investigation": _l("The household visit for your application for %(aid)s (%(ref)s) is "
                        "recorded."),
    "notice": _l("The public notice for your application for %(aid)s (%(ref)s) has started."),
    "approved": _l("A decision has been made on your application for %(aid)s (%(ref)s)."),
    "refused": _l("A decision has been made on your application for %(aid)s (%(ref)s)."),
    "withdrawn": _l("Your application for %(aid)s (%(ref)s) has been withdrawn."),
    "emergency_paid": _l("Emergency help for your application for %(aid)s (%(ref)s) has been "
                         "paid."),
    "completed": _l("Your application for %(aid)s (%(ref)s) is complete."),
    "payment": _l("A payment for your application for %(aid)s (%(ref)s) has been recorded."),
    "review": _l("A review date has been set for your application for %(aid)s (%(ref)s)."),
    "extended": _l("The time limit for your application for %(aid)s (%(ref)s) has been "
                   "extended."),
}


# The earlier wording, kept so that the messages already in inboxes are still translated.
EARLIER_STAGE_MESSAGES = {
    "submitted": _l("We received your aid application %(ref)s."),
    "returned": _l("Your aid application %(ref)s needs more materials. Please see what to send."),
    "accepted": _l("Your aid application %(ref)s has been accepted."),
    "investigation": _l("The household visit for your aid application %(ref)s is recorded."),
    "notice": _l("The public notice for your aid application %(ref)s has started."),
    "approved": _l("A decision has been made on your aid application %(ref)s."),
    "refused": _l("A decision has been made on your aid application %(ref)s."),
    "withdrawn": _l("Your aid application %(ref)s has been withdrawn."),
    "emergency_paid": _l("Emergency help for your aid application %(ref)s has been paid."),
    "completed": _l("Your aid application %(ref)s is complete."),
    "payment": _l("A payment for your aid application %(ref)s has been recorded."),
    "review": _l("A review date has been set for your aid application %(ref)s."),
    "extended": _l("The time limit for your aid application %(ref)s has been extended."),
}


class Relation(LabelledEnum):
    SPOUSE = "spouse", _l("Spouse")
    CHILD = "child", _l("Child")
    PARENT = "parent", _l("Parent")
    GRANDCHILD = "grandchild", _l("Grandchild")
    SIBLING = "sibling", _l("Brother or sister")
    OTHER = "other", _l("Other")


class MemberStatus(LabelledEnum):
    WORKING = "working", _l("Working")
    RETIRED = "retired", _l("Retired")
    STUDENT = "student", _l("Student")
    DISABLED = "disabled", _l("Disabled")
    OTHER = "other", _l("Other")


class Housing(LabelledEnum):
    OWN = "own", _l("Own home")
    RENT = "rent", _l("Rented")
    PUBLIC = "public", _l("Public housing")
    NONE = "none", _l("No home of our own")
    OTHER = "other", _l("Other")


class AidKind(LabelledEnum):
    """The two kinds of 临时救助."""

    EMERGENCY = "emergency", _l("Emergency (急难型)")
    EXPENSE = "expense", _l("Sudden necessary spending (支出型)")


def label(enum: type[LabelledEnum], value: str | None):
    """A stored value in words; "" for none or a value the vocabulary no longer has."""
    try:
        return enum(value).label if value else ""
    except ValueError:
        return value


class UnknownItem(DomainError):
    """An item that is not on the type's checklist: the page answers 404, as for a bad URL."""


def day_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def localized(obj, field: str) -> str:
    locale = str(get_locale() or "zh")
    return getattr(obj, f"{field}_en" if locale.startswith("en") else f"{field}_zh") or ""


def material_name(item: dict) -> str:
    locale = str(get_locale() or "zh")
    return item.get("en") if locale.startswith("en") else item.get("zh")


# --- Working days ------------------------------------------------------------------------------

def holiday_overrides(session: Session) -> dict[date, bool]:
    rows = session.execute(select(AidHoliday.day, AidHoliday.is_workday))
    return {day: flag for day, flag in rows}


def holidays_statement():
    return select(AidHoliday).order_by(AidHoliday.day.desc())


def add_working_days(session: Session, start: date, count: int) -> date:
    """The holiday table is read only for a year the official calendar doesn't know."""
    return (workdays.official_add_working_days(start, count)
            or workdays.add_working_days(start, count, holiday_overrides(session)))
