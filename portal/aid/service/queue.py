"""The staff side: the queue and its filters, one application's review page, the export, and
the words for aid's lines in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from math import ceil

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal import crypto
from portal.aid.models import (
    QUEUE_ORDER,
    AidApplication,
    AidFile,
    AidMember,
    AidPayment,
    AidType,
)
from portal.aid.service.rules import (
    AREA,
    OPEN_STAGES,
    QUEUE_STAGES,
    STAGE_LABELS,
    UNDO_WINDOW,
    add_working_days,
)
from portal.audit.service import record
from portal.clock import utcnow
from portal.db import bounded_count
from portal.registry import AuditAction
from portal.web.pagination import Page

DUE_FILTERS = ("overdue", "soon")


@dataclass
class QueueFilters:
    """What the queue is filtered by. The ID number never comes from a URL: it is posted."""

    type_code: str | None = None
    stage: str | None = None
    due: str | None = None
    id_number: str | None = None

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        stage, due = args.get("stage"), args.get("due")
        return cls(type_code=(args.get("type") or "")[:20] or None,
                   stage=stage if stage in QUEUE_STAGES else None,
                   due=due if due in DUE_FILTERS else None)

    def url_args(self) -> dict:
        """The filters for a link (the export, the pager): never the ID number."""
        return {key: value for key, value in (("type", self.type_code), ("stage", self.stage),
                                              ("due", self.due)) if value}


def reached_staff(now: datetime | None = None) -> ColumnElement[bool]:
    """Sent, and not in the UNDO_WINDOW after sending, in which the person may still take it
    back to change it: staff never see it then, so an undo never reaches them as a
    withdrawal. A draft, even one taken back with its reference, has no ``submitted_at``."""
    a, cutoff = AidApplication, (now or utcnow()) - UNDO_WINDOW
    return and_(a.submitted_at.is_not(None),
                or_(a.stage != "submitted", a.submitted_at <= cutoff))


def queue_statement(session: Session, filters: QueueFilters, today: date) -> Select:
    # No join to aid_type: with one, the planner walked the types and sorted every
    # application; alone, the page is read off the QUEUE_ORDER index.
    statement = select(AidApplication).where(reached_staff()).order_by(*QUEUE_ORDER)
    if filters.type_code:
        statement = statement.where(AidApplication.type_id == select(AidType.id).where(
            AidType.code == filters.type_code).scalar_subquery())
    statement = statement.where(AidApplication.stage.in_(
        (filters.stage,) if filters.stage else QUEUE_STAGES))
    if filters.due == "overdue":
        statement = statement.where(AidApplication.stage_due_on < today,
                                    AidApplication.stage.in_(OPEN_STAGES))
    elif filters.due == "soon":
        statement = statement.where(
            AidApplication.stage_due_on >= today,
            AidApplication.stage_due_on <= add_working_days(session, today, 2),
            AidApplication.stage.in_(OPEN_STAGES))
    if filters.id_number:
        hashed = crypto.lookup_hash(filters.id_number)
        statement = statement.where(or_(
            AidApplication.id_hash == hashed,
            exists().where(AidMember.application_id == AidApplication.id,
                           AidMember.id_hash == hashed)))
    return statement


QUEUE_PAGE_SIZE = 50
QUEUE_COUNT_LIMIT = 1000  # the queue counts this far, then says "more than"


@dataclass
class QueuePage(Page):
    more: bool = False  # more than QUEUE_COUNT_LIMIT: total says the limit


def queue_page(session: Session, statement: Select, number: int) -> QueuePage:
    """One page of the queue: a count that stops after QUEUE_COUNT_LIMIT + 1 ids, and the
    page read in QUEUE_ORDER's index (ix_aid_application_due_order), so that neither grows
    with the applications; the pages go as far as the count. Past it, the filters narrow."""
    total = session.scalar(select(func.count()).select_from(
        statement.with_only_columns(AidApplication.id).order_by(None)
        .limit(QUEUE_COUNT_LIMIT + 1).subquery())) or 0
    more, total = total > QUEUE_COUNT_LIMIT, min(total, QUEUE_COUNT_LIMIT)
    number = min(max(1, number), max(1, ceil(total / QUEUE_PAGE_SIZE)))
    items = list(session.scalars(statement.limit(QUEUE_PAGE_SIZE)
                                 .offset((number - 1) * QUEUE_PAGE_SIZE)))
    return QueuePage(items=items, number=number, per_page=QUEUE_PAGE_SIZE, total=total,
                     more=more)


EXPORT_HEADERS = (
    lazy_pgettext("aid export column", "Reference"),
    lazy_pgettext("aid export column", "Type"),
    lazy_pgettext("aid export column", "Stage"),
    lazy_pgettext("aid export column", "Submitted"),
    lazy_pgettext("aid export column", "Stage due by"),
    lazy_pgettext("aid export column", "Deadline"),
)


def export_rows(session: Session, statement: Select, english: bool = False) -> Iterator[list]:
    """The filtered queue as rows in EXPORT_HEADERS' order: references, stages and dates, no
    personal data; stages in words and the type in the reader's language."""
    columns = statement.join(AidType, AidType.id == AidApplication.type_id).with_only_columns(
        AidApplication.ref, AidType.name_zh, AidType.name_en, AidApplication.stage,
        AidApplication.submitted_at, AidApplication.stage_due_on, AidApplication.deadline_on)
    for row in session.execute(columns.execution_options(yield_per=1000)):
        yield [row.ref, row.name_en if english else row.name_zh,
               STAGE_LABELS.get(row.stage, row.stage), row.submitted_at, row.stage_due_on,
               row.deadline_on]


# The staff home counts this far and then says "999+" (as the requests panel does).
PANEL_COUNT_LIMIT = 999


def queue_counts(session: Session, today: date) -> dict:
    """New, due soon and overdue, in one statement; each count walks the (stage,
    stage_due_on) index and stops after PANEL_COUNT_LIMIT + 1 entries (``capped``)."""
    soon = add_working_days(session, today, 2)
    a, open_, ours = AidApplication, AidApplication.stage.in_(OPEN_STAGES), reached_staff()
    counts = {
        "new": bounded_count(a.id, a.stage == "submitted", ours, limit=PANEL_COUNT_LIMIT),
        "soon": bounded_count(a.id, open_, ours, a.stage_due_on >= today,
                              a.stage_due_on <= soon, limit=PANEL_COUNT_LIMIT),
        "overdue": bounded_count(a.id, open_, ours, a.stage_due_on < today,
                                 limit=PANEL_COUNT_LIMIT),
    }
    row = session.execute(select(*[value.label(key) for key, value in counts.items()])).one()
    values = {key: min(value or 0, PANEL_COUNT_LIMIT) for key, value in row._mapping.items()}
    values["capped"] = {key for key, value in row._mapping.items()
                        if (value or 0) > PANEL_COUNT_LIMIT}
    return values


def staff_application(session: Session, ref: str) -> AidApplication | None:
    return session.scalar(
        select(AidApplication).where(AidApplication.ref == ref, reached_staff())
        .options(selectinload(AidApplication.members), selectinload(AidApplication.files),
                 selectinload(AidApplication.events)))


def same_household(session: Session, application: AidApplication) -> list[AidApplication]:
    """Other applications naming any of this household's ID numbers (by keyed hash)."""
    hashes = [application.id_hash, *(member.id_hash for member in application.members)]
    hashes = [value for value in hashes if value]
    if not hashes:
        return []
    member_match = exists().where(AidMember.application_id == AidApplication.id,
                                  AidMember.id_hash.in_(hashes))
    return list(session.scalars(
        select(AidApplication)
        .where(AidApplication.id != application.id, reached_staff(),
               or_(AidApplication.id_hash.in_(hashes), member_match))
        .order_by(AidApplication.id.desc()).limit(10)))


def payments(session: Session, application: AidApplication) -> list[AidPayment]:
    return list(session.scalars(select(AidPayment).where(
        AidPayment.application_id == application.id).order_by(AidPayment.month)))


def reveal_ids(application: AidApplication) -> dict:
    """Plain ID numbers for the staff page, only after a deliberate, audited reveal."""
    revealed = {"applicant": crypto.decrypt(application.id_cipher)
                if application.id_cipher else ""}
    for member in application.members:
        revealed[member.id] = crypto.decrypt(member.id_cipher)
    return revealed


def record_file_opened(session: Session, user, stored) -> None:
    """A material or a visit photo was opened: which application, which checklist item."""
    found = session.execute(
        select(AidApplication.ref, AidFile.item)
        .join(AidFile, AidFile.application_id == AidApplication.id)
        .where(AidFile.file_id == stored.id)).first()
    ref, item = found if found else ("", "")
    record(session, user, AREA, "file_opened", ref, item)


# The words for aid's lines in the one audit log (portal/audit); "view" and "export" are shared.
AUDIT_ACTIONS = (
    AuditAction(AREA, "search", _l("Searched by ID number")),
    AuditAction(AREA, "reveal", _l("Revealed the ID numbers")),
    AuditAction(AREA, "file_opened", _l("Opened a material")),
    AuditAction(AREA, "review_material", _l("Checked a material")),
    AuditAction(AREA, "accept", _l("Accepted")),
    AuditAction(AREA, "return", _l("Returned for materials")),
    AuditAction(AREA, "investigation", _l("Recorded the household visit")),
    AuditAction(AREA, "notice", _l("Started the public notice")),
    AuditAction(AREA, "decision", _l("Decided")),
    AuditAction(AREA, "payment", _l("Recorded a payment")),
    AuditAction(AREA, "review", _l("Scheduled a review")),
    AuditAction(AREA, "extend", _l("Extended the time limit")),
    AuditAction(AREA, "complete", _l("Completed the paperwork")),
    # The applicant's own: taken back within UNDO_WINDOW, before staff could see it.
    AuditAction(AREA, "undo_submit", _l("Took back a just-sent application to change it")),
)
