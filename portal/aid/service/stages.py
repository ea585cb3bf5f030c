"""The review stages (民发〔2021〕57号): each move is guarded against a concurrent one, leaves an
event on the timeline and tells the resident."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.aid import idnumber
from portal.aid.models import AidApplication, AidEvent, AidFile, AidMaterialReview, AidPayment
from portal.aid.money import format_yuan
from portal.aid.service.drafting import (
    files_by_item,
    household_size,
    missing_items,
    ready_to_submit,
    require_item,
)
from portal.aid.service.rules import (
    ACCEPT_WITHIN,
    AREA,
    BEFORE_DECISION,
    DEADLINE,
    DECIDE_WITHIN,
    EDITABLE,
    EXTENDED_DEADLINE,
    INVESTIGATE_WITHIN,
    NOTICE_DAYS,
    REF_PREFIX,
    STAGE_LABELS,
    STAGE_MESSAGES,
    UNDO_WINDOW,
    add_working_days,
    day_text,
    localized,
    material_name,
)
from portal.audit.service import record
from portal.clock import next_daily_number, utcnow
from portal.errors import DomainError
from portal.notifications.service import in_each_language, notify, take_back


def _move(session: Session, application: AidApplication, allowed: tuple[str, ...],
          to: str) -> None:
    """Change the stage only if it is still one of ``allowed`` (safe under concurrency)."""
    if application.stage not in allowed:
        raise DomainError(_l("This can't be done while the application is at the stage "
                            "“%(stage)s”.", stage=STAGE_LABELS[application.stage]))
    result = session.execute(
        update(AidApplication)
        .where(AidApplication.id == application.id, AidApplication.stage.in_(allowed))
        .values(stage=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(_l("Someone else changed this application just now. Please reload."))
    application.stage = to


def _event(session: Session, application: AidApplication, stage: str, today: date, *,
           due_on: date | None = None, notice: str = "", details: dict | None = None,
           actor_id: int | None = None, message_stage: str | None = None) -> AidEvent:
    details = dict(details or {})
    if isinstance(notice, LazyString):
        # Kept as source text and parameters, so each reader sees it in their own language.
        details["notice"] = {"msg": notice._args[0], "params": notice._kwargs}
    event = AidEvent(application_id=application.id, stage=stage, day=today, due_on=due_on,
                     notice=str(notice), details=details, actor_id=actor_id)
    application.events.append(event)  # the cascade adds it to the session
    aid_type = application.aid_type
    if application.applicant_id is None:  # filed by staff for someone with no account
        return event
    notify(session, application.applicant_id, STAGE_MESSAGES[message_stage or stage],
           link=f"/aid/{application.url_key}", ref=application.url_key,
           aid=in_each_language(lambda: localized(aid_type, "name")))
    return event


def notice_text(event: AidEvent) -> str:
    stored = (event.details or {}).get("notice")
    if stored:
        return gettext(stored["msg"], **stored["params"])
    return event.notice


def submit(session: Session, application: AidApplication, today: date,
           now: datetime) -> bool:
    """Send a draft, or resend a returned application. False when it was already sent."""
    if application.stage not in EDITABLE:
        return False
    if not ready_to_submit(application):
        raise DomainError(_l("Please finish every section before you send the application."))
    resubmission = application.stage == "returned"
    earlier = application.submitted_at
    _move(session, application, EDITABLE, "submitted")
    if application.ref is None:  # a draft taken back keeps the reference it was given
        application.ref = next_daily_number(session, REF_PREFIX, today)
    application.submitted_at = now
    application.household_size = household_size(application)
    application.stage_due_on = add_working_days(session, today, ACCEPT_WITHIN)
    missing = [material_name(item) for item in missing_items(application)]
    _event(session, application, "submitted", today, due_on=application.stage_due_on,
           details={"resubmission": resubmission, "missing": missing,
                    "earlier": earlier.isoformat() if resubmission and earlier else None})
    return True


def undo_until(application: AidApplication) -> datetime | None:
    """Until when the person may take a sent application back to change it; None when they
    can't (not just sent)."""
    if application.stage != "submitted" or application.submitted_at is None:
        return None
    return application.submitted_at + UNDO_WINDOW


def may_undo(application: AidApplication, now: datetime) -> bool:
    until = undo_until(application)
    return until is not None and now < until


def undo_submit(session: Session, application: AidApplication, user, now: datetime) -> None:
    """Take a just-sent application back, as it was before sending: a draft (or, when it was
    resent, returned for materials) with every answer, member and file kept. Staff have not
    seen it yet (``queue.reached_staff``), so it leaves nothing on the timeline they read."""
    if not may_undo(application, now):
        raise DomainError(_l("More than 10 minutes have passed since you sent it, so it can't "
                             "be taken back now. If something needs changing, call the office "
                             "and tell them your reference."))
    sent = next((event for event in reversed(application.events)
                 if event.stage == "submitted"), None)
    details = sent.details if sent is not None else {}
    resubmission = bool(details.get("resubmission"))
    _move(session, application, ("submitted",), "returned" if resubmission else "draft")
    earlier = details.get("earlier")
    application.submitted_at = datetime.fromisoformat(earlier) if earlier else None
    application.stage_due_on = None
    if sent is not None:
        application.events.remove(sent)
    take_back(session, application.applicant_id, STAGE_MESSAGES["submitted"],
              link=f"/aid/{application.url_key}", ref=application.url_key)
    record(session, user, AREA, "undo_submit", application.ref or "")


def withdraw(session: Session, application: AidApplication, today: date) -> None:
    _move(session, application, BEFORE_DECISION, "withdrawn")
    application.stage_due_on = None
    if application.ref:
        _event(session, application, "withdrawn", today)


def accept(session: Session, application: AidApplication, staff, today: date) -> None:
    _move(session, application, ("submitted",), "accepted")
    application.accepted_on = today
    application.deadline_on = add_working_days(session, today, DEADLINE)
    emergency = application.kind == "emergency"
    application.stage_due_on = today if emergency else add_working_days(
        session, today, INVESTIGATE_WITHIN)
    _event(session, application, "accepted", today, due_on=application.stage_due_on,
           actor_id=staff.id, details={"deadline": application.deadline_on.isoformat()})


def return_for_materials(session: Session, application: AidApplication, staff, today: date,
                         note: str) -> list[str]:
    """One notice (一次性告知) listing every missing or unusable item, and the staff note."""
    reviews = {review.item: review for review in material_reviews(session, application)}
    have = files_by_item(application)
    lines = []
    for item in application.aid_type.materials:
        review = reviews.get(item["key"])
        if review is not None and not review.ok:
            lines.append(f"{material_name(item)}: {review.note}" if review.note
                         else material_name(item))
        elif review is None and not have.get(item["key"]) and not item.get("optional"):
            lines.append(material_name(item))
    if not lines and not note:
        raise DomainError(_l("Mark at least one item as missing, or write what is needed."))
    _move(session, application, ("submitted",), "returned")
    application.stage_due_on = None
    notice = "\n".join(f"• {line}" for line in lines)
    if note:
        notice = f"{notice}\n{note}".strip()
    _event(session, application, "returned", today, notice=notice, actor_id=staff.id,
           details={"items": lines})
    return lines


def record_investigation(session: Session, application: AidApplication, staff, today: date, *,
                         investigators: list[str], visited_on: date, findings: str,
                         photos=()) -> None:
    """``photos`` are files already stored by ``files.service.take_uploads``."""
    investigators = [name for name in investigators if name]
    if len(investigators) < 2:
        raise DomainError(_l("A household visit needs at least two investigators."))
    if not findings:
        raise DomainError(_l("Write down what the investigators found."))
    _move(session, application, ("accepted",), "investigation")
    for stored in photos:
        stored.attached = True
        session.add(AidFile(application_id=application.id, item="investigation",
                            file_id=stored.id))
    application.stage_due_on = application.deadline_on
    _event(session, application, "investigation", today, due_on=application.stage_due_on,
           actor_id=staff.id, details={"investigators": investigators,
                                       "visited_on": visited_on.isoformat(),
                                       "findings": findings})


def start_notice(session: Session, application: AidApplication, staff, today: date,
                 proposed_fen: int) -> None:
    if not application.aid_type.needs_notice:
        raise DomainError(_l("This type of aid has no public notice."))
    if proposed_fen <= 0:
        raise DomainError(_l("Enter the proposed monthly amount."))
    _move(session, application, ("investigation",), "notice")
    application.proposed_fen = proposed_fen
    application.household_size = household_size(application)
    application.notice_starts_on = today
    application.notice_ends_on = today + timedelta(days=NOTICE_DAYS - 1)
    application.stage_due_on = application.notice_ends_on
    notice = _l("Public notice from %(start)s to %(end)s: %(name)s, household of %(size)d, "
                "proposed %(amount)s yuan a month.", start=day_text(application.notice_starts_on),
                end=day_text(application.notice_ends_on), name=idnumber.mask_name(application.name),
                size=application.household_size, amount=format_yuan(proposed_fen))
    _event(session, application, "notice", today, due_on=application.notice_ends_on,
           notice=notice, actor_id=staff.id)


def decision_due(session: Session, application: AidApplication) -> date | None:
    if application.stage == "notice" and application.notice_ends_on:
        due = add_working_days(session, application.notice_ends_on, DECIDE_WITHIN)
        return min(due, application.deadline_on) if application.deadline_on else due
    return application.deadline_on


def decide(session: Session, application: AidApplication, staff, today: date, *,
           approve: bool, amount_fen: int | None = None, start_month: str | None = None,
           reasons: str = "", review_months: int = 12) -> None:
    if approve:
        if application.aid_type.needs_notice and application.stage != "notice":
            raise DomainError(_l("Approval comes after the public notice."))
        if application.stage == "notice" and today <= application.notice_ends_on:
            raise DomainError(_l("The public notice runs until %(end)s. Decide after it ends.",
                                end=application.notice_ends_on))
        if not amount_fen or amount_fen <= 0 or not start_month:
            raise DomainError(_l("Enter the monthly amount and the month payments start."))
        _move(session, application, ("investigation", "notice"), "approved")
        application.approved_fen = amount_fen
        application.start_month = start_month
        application.review_months = review_months
        year, month = (int(part) for part in start_month.split("-"))
        month += review_months
        application.next_review_on = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        notice = _l("Approved: %(amount)s yuan a month from %(month)s. Next review by "
                    "%(review)s.", amount=format_yuan(amount_fen), month=start_month,
                    review=day_text(application.next_review_on))
    else:
        if not reasons:
            raise DomainError(_l("Write the reasons for the refusal."))
        _move(session, application, ("accepted", "investigation", "notice"), "refused")
        notice = _l("Refused. Reasons: %(reasons)s\nIf you disagree, you may apply for "
                    "administrative reconsideration (行政复议) within 60 days, or bring an "
                    "administrative lawsuit (行政诉讼) within 6 months, of receiving this "
                    "decision.", reasons=reasons)
    application.decided_on = today
    application.stage_due_on = None
    _event(session, application, "approved" if approve else "refused", today, notice=notice,
           actor_id=staff.id)


def record_payment(session: Session, application: AidApplication, staff, today: date, *,
                   month: str, amount_fen: int) -> AidPayment:
    """Monthly payments once approved; for 急难型, the first payment right after acceptance."""
    if amount_fen <= 0:
        raise DomainError(_l("Enter the amount paid."))
    emergency_first = application.kind == "emergency" and application.stage == "accepted"
    if application.stage != "approved" and not emergency_first:
        raise DomainError(_l("Payments are recorded after approval (or at once for "
                            "emergency help)."))
    exists_already = session.scalar(select(AidPayment.id).where(
        AidPayment.application_id == application.id, AidPayment.month == month))
    if exists_already:
        raise DomainError(_l("A payment for %(month)s is already recorded.", month=month))
    payment = AidPayment(application_id=application.id, month=month, amount_fen=amount_fen,
                         paid_on=today, recorded_by=staff.id)
    session.add(payment)
    if emergency_first:
        _move(session, application, ("accepted",), "emergency_paid")
        application.stage_due_on = application.deadline_on
        _event(session, application, "emergency_paid", today, due_on=application.deadline_on,
               notice=_l("Emergency help of %(amount)s yuan paid. Please complete the "
                         "paperwork by %(due)s.", amount=format_yuan(amount_fen),
                         due=day_text(application.deadline_on)), actor_id=staff.id)
    else:
        _event(session, application, "payment", today,
               notice=_l("%(amount)s yuan paid for %(month)s.",
                         amount=format_yuan(amount_fen), month=month), actor_id=staff.id)
    session.flush()
    return payment


def complete_paperwork(session: Session, application: AidApplication, staff,
                       today: date) -> None:
    _move(session, application, ("emergency_paid",), "completed")
    application.decided_on = today
    application.stage_due_on = None
    _event(session, application, "completed", today, actor_id=staff.id)


def schedule_review(session: Session, application: AidApplication, staff, today: date,
                    review_on: date) -> None:
    if application.stage != "approved":
        raise DomainError(_l("Reviews are scheduled for approved applications."))
    if review_on <= today:
        raise DomainError(_l("Choose a review date in the future."))
    application.next_review_on = review_on
    _event(session, application, "review", today, due_on=review_on,
           notice=_l("Next review by %(date)s.", date=day_text(review_on)), actor_id=staff.id)


def extend_deadline(session: Session, application: AidApplication, staff, today: date,
                    reason: str) -> None:
    if application.stage not in ("accepted", "investigation", "notice"):
        raise DomainError(_l("Only an application under review can be extended."))
    if application.extended:
        raise DomainError(_l("The time limit has already been extended once."))
    if not reason:
        raise DomainError(_l("Write why more time is needed."))
    application.extended = True
    application.deadline_on = add_working_days(session, application.accepted_on,
                                               EXTENDED_DEADLINE)
    if application.stage == "investigation":
        application.stage_due_on = application.deadline_on
    _event(session, application, "extended", today, due_on=application.deadline_on,
           notice=reason, actor_id=staff.id)


def material_reviews(session: Session, application: AidApplication) -> list[AidMaterialReview]:
    return list(session.scalars(select(AidMaterialReview).where(
        AidMaterialReview.application_id == application.id)))


def review_material(session: Session, application: AidApplication, staff, item: str,
                    ok: bool, note: str) -> None:
    require_item(application, item)
    review = session.scalar(select(AidMaterialReview).where(
        AidMaterialReview.application_id == application.id, AidMaterialReview.item == item))
    if review is None:
        review = AidMaterialReview(application_id=application.id, item=item)
        session.add(review)
    review.ok, review.note, review.reviewer_id, review.reviewed_at = ok, note, staff.id, utcnow()
    session.flush()
