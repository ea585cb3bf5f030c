"""Aid applications: drafting, the review stages (民发〔2021〕57号), deadlines, privacy.

Plain arguments in, never reads flask.request, never commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal.aid import crypto, idnumber, workdays
from portal.aid.models import (
    AidApplication,
    AidEvent,
    AidFile,
    AidHoliday,
    AidMaterialReview,
    AidMember,
    AidPayment,
    AidType,
)
from portal.clock import next_daily_number, utcnow
from portal.db import bounded_count
from portal.files.service import IMAGES_AND_PDF, store_upload
from portal.notifications.service import notify

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_UPLOAD = 10 * 1024 * 1024
ACCEPT_WITHIN = 3  # working days to accept or return a submission (our office's promise)
INVESTIGATE_WITHIN = 3  # working days from acceptance to the home visit (57号)
NOTICE_DAYS = 7  # 公示期
DECIDE_WITHIN = 10  # working days after the notice
DEADLINE = 30  # working days from acceptance for the whole procedure
EXTENDED_DEADLINE = 45

SECTIONS = ("applicant", "household", "income", "materials", "consent")
EDITABLE = ("draft", "returned")
BEFORE_DECISION = ("draft", "submitted", "returned", "accepted", "investigation", "notice")
OPEN_STAGES = ("submitted", "accepted", "investigation", "notice", "emergency_paid")

STAGE_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned for materials"),
    "accepted": _l("Accepted"),
    "investigation": _l("Household investigation"),
    "notice": _l("Public notice"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
    "emergency_paid": _l("Emergency help paid"),
    "completed": _l("Completed"),
    "payment": _l("Payment"),
    "review": _l("Periodic review"),
    "extended": _l("Time limit extended"),
}

STAGE_MESSAGES = {
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

RELATIONS = {
    "spouse": _l("Spouse"), "child": _l("Child"), "parent": _l("Parent"),
    "grandchild": _l("Grandchild"), "sibling": _l("Brother or sister"), "other": _l("Other"),
}
STATUSES = {
    "working": _l("Working"), "retired": _l("Retired"), "student": _l("Student"),
    "disabled": _l("Disabled"), "other": _l("Other"),
}
HOUSING = {
    "own": _l("Own home"), "rent": _l("Rented"), "public": _l("Public housing"),
    "none": _l("No home of our own"), "other": _l("Other"),
}
KINDS = {"emergency": _l("Emergency (急难型)"), "expense": _l("Sudden necessary spending (支出型)")}


class StageError(Exception):
    """A transition the rules don't allow from the application's current stage."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def local_today() -> date:
    return datetime.now(SHANGHAI).date()


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def localized(obj, field: str) -> str:
    locale = str(get_locale() or "zh")
    return getattr(obj, f"{field}_en" if locale.startswith("en") else f"{field}_zh") or ""


def material_name(item: dict) -> str:
    locale = str(get_locale() or "zh")
    return item.get("en") if locale.startswith("en") else item.get("zh")


# --- Aid types -------------------------------------------------------------------------------

SEED_TYPES = [
    dict(code="dibao", order=1, needs_notice=True, asks_assets=True,
         name_zh="最低生活保障（低保）", name_en="Minimum living allowance (dibao)",
         description_zh="为家庭人均收入低于当地低保标准、且财产状况符合规定的家庭按月发放生活补助。",
         description_en="A monthly allowance for households whose income per person is below the "
                        "local minimum and whose assets meet the rules.",
         eligibility_zh="持本地户籍、共同生活的家庭成员人均月收入低于当地低保标准，"
                        "且家庭财产状况符合规定。",
         eligibility_en="Registered locally; the household's monthly income per person is below "
                        "the local minimum; savings, homes and vehicles within the limits.",
         materials=[
             {"key": "application_letter", "zh": "申请书", "en": "Application letter"},
             {"key": "hukou", "zh": "户口簿", "en": "Household register (hukou)"},
             {"key": "id_card", "zh": "身份证", "en": "ID cards"},
             {"key": "income_proof", "zh": "收入证明", "en": "Proof of income"},
             {"key": "assets_statement", "zh": "财产状况说明", "en": "Statement of assets"},
             {"key": "check_authorisation", "zh": "家庭经济状况核对授权书",
              "en": "Authorisation to check household finances"},
             {"key": "disability_or_diagnosis", "zh": "残疾证或诊断证明（如有）",
              "en": "Disability card or diagnosis (if any)", "optional": True},
         ]),
    dict(code="temporary", order=2, needs_notice=False, asks_assets=True, has_kinds=True,
         name_zh="临时救助", name_en="Temporary assistance",
         description_zh="因火灾、交通事故、突发重病等陷入困境的家庭，可申请临时救助。"
                        "急难型先行救助，事后补齐手续；支出型按完整程序办理。",
         description_en="For households in sudden hardship: fire, accident, serious illness. "
                        "Emergency cases are helped first and the paperwork is completed "
                        "afterwards; sudden spending follows the full procedure.",
         eligibility_zh="因突发事件、意外伤害、重大疾病等导致基本生活暂时出现严重困难的家庭或个人。",
         eligibility_en="Households or people whose basic living is in serious temporary "
                        "difficulty because of an emergency, accident or serious illness.",
         materials=[
             {"key": "application_letter", "zh": "申请书", "en": "Application letter"},
             {"key": "id_card", "zh": "身份证", "en": "ID cards"},
             {"key": "hardship_proof", "zh": "困难情况证明（如医疗费票据、事故证明）",
              "en": "Proof of the hardship (medical bills, accident report)"},
         ]),
    dict(code="elderly_care", order=3,
         name_zh="养老服务", name_en="Elderly care services",
         description_zh="为高龄、失能、独居老人提供上门照料、助餐、助浴等服务补贴。",
         description_en="Help at home, meals and bathing for older people who are very old, "
                        "frail or living alone.",
         eligibility_zh="本社区60周岁以上、生活自理有困难或独居的老人。",
         eligibility_en="Residents aged 60 or over who find daily life hard or live alone.",
         materials=[
             {"key": "id_card", "zh": "身份证", "en": "ID card"},
             {"key": "care_assessment", "zh": "能力评估或诊断证明", "en": "Care assessment or "
              "diagnosis"},
         ]),
    dict(code="disability", order=4,
         name_zh="助残服务", name_en="Disability support services",
         description_zh="为持证残疾人提供生活补贴、护理补贴和康复服务。",
         description_en="Living and care allowances and rehabilitation for people with a "
                        "disability card.",
         eligibility_zh="持有《中华人民共和国残疾人证》的本社区居民。",
         eligibility_en="Residents holding a disability card of the People's Republic of China.",
         materials=[
             {"key": "id_card", "zh": "身份证", "en": "ID card"},
             {"key": "disability_card", "zh": "残疾人证", "en": "Disability card"},
         ]),
]


def seed_types(session: Session) -> None:
    existing = set(session.scalars(select(AidType.code)))
    for values in SEED_TYPES:
        if values["code"] not in existing:
            session.add(AidType(**values))
    session.flush()


def list_types(session: Session) -> list[AidType]:
    return list(session.scalars(select(AidType).order_by(AidType.order)))


def get_type(session: Session, code: str) -> AidType | None:
    return session.scalar(select(AidType).where(AidType.code == code))


def update_type(aid_type: AidType, *, description_zh, description_en, eligibility_zh,
                eligibility_en, materials: list[dict]) -> None:
    aid_type.description_zh = description_zh
    aid_type.description_en = description_en
    aid_type.eligibility_zh = eligibility_zh
    aid_type.eligibility_en = eligibility_en
    aid_type.materials = materials
    aid_type.updated_at = utcnow()


def parse_materials(text: str) -> list[dict]:
    """One item a line: '中文 | English', optionally ending '| optional'. Keys stay stable."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        item = {"zh": parts[0], "en": parts[1] if len(parts) > 1 and parts[1] else parts[0]}
        item["optional"] = len(parts) > 2 and parts[2].lower() == "optional"
        item["key"] = f"item{number}"
        items.append(item)
    return items


def materials_text(aid_type: AidType) -> str:
    return "\n".join(
        f"{item['zh']} | {item['en']}" + (" | optional" if item.get("optional") else "")
        for item in aid_type.materials)


def keep_material_keys(old: list[dict], new: list[dict]) -> list[dict]:
    """An item whose Chinese name didn't change keeps its key, so uploads stay linked."""
    by_name = {item["zh"]: item["key"] for item in old}
    used = set()
    for item in new:
        key = by_name.get(item["zh"])
        if key and key not in used:
            item["key"] = key
        while item["key"] in used or (item["key"] not in by_name.values()
                                       and item["key"] in {i["key"] for i in old}):
            item["key"] = f"{item['key']}x"
        used.add(item["key"])
    return new


# --- Working days ------------------------------------------------------------------------------

def holiday_overrides(session: Session) -> dict[date, bool]:
    rows = session.execute(select(AidHoliday.day, AidHoliday.is_workday))
    return {day: flag for day, flag in rows}


def holidays_statement():
    return select(AidHoliday).order_by(AidHoliday.day.desc())


def add_working_days(session: Session, start: date, count: int) -> date:
    return workdays.add_working_days(start, count, holiday_overrides(session))


# --- Drafting ----------------------------------------------------------------------------------

def start_application(session: Session, user, aid_type: AidType, kind: str | None,
                      start_key: str) -> AidApplication:
    """A new draft; sending the same start form twice returns the first draft."""
    found = session.scalar(select(AidApplication).where(AidApplication.start_key == start_key,
                                                        AidApplication.applicant_id == user.id))
    if found is not None:
        return found
    application = AidApplication(
        key="d" + secrets.token_urlsafe(12), start_key=start_key, applicant_id=user.id,
        type_id=aid_type.id, kind=kind if aid_type.has_kinds else None, stage="draft",
        sections_done=[], name=user.name, phone=user.phone)
    session.add(application)
    session.flush()
    return application


def own_application(session: Session, user_id: int, key: str) -> AidApplication | None:
    """The person's own application by reference or draft key; anyone else's is None."""
    return session.scalar(
        select(AidApplication)
        .where(or_(AidApplication.ref == key, AidApplication.key == key),
               AidApplication.applicant_id == user_id)
        .options(selectinload(AidApplication.members), selectinload(AidApplication.files),
                 selectinload(AidApplication.events)))


def my_applications(session: Session, user_id: int) -> list[AidApplication]:
    return list(session.scalars(
        select(AidApplication).where(AidApplication.applicant_id == user_id)
        .order_by(AidApplication.created_at.desc()).limit(50)))


def _require_editable(application: AidApplication) -> None:
    if application.stage not in EDITABLE:
        raise StageError(_l("This application has been sent and can't be changed now."))


def _done(application: AidApplication, section: str) -> None:
    if section not in application.sections_done:
        application.sections_done = [*application.sections_done, section]


def save_applicant(application: AidApplication, *, name: str, id_number: str,
                   phone: str) -> None:
    _require_editable(application)
    application.name = name
    application.phone = phone
    application.id_cipher = crypto.encrypt(id_number)
    application.id_hash = crypto.lookup_hash(id_number)
    application.id_masked = idnumber.mask(id_number)
    _done(application, "applicant")


def add_member(session: Session, application: AidApplication, *, name: str, relation: str,
               id_number: str, status: str) -> AidMember:
    _require_editable(application)
    member = AidMember(name=name, relation=relation, status=status,
                       id_cipher=crypto.encrypt(id_number),
                       id_hash=crypto.lookup_hash(id_number),
                       id_masked=idnumber.mask(id_number))
    application.members.append(member)
    session.flush()
    return member


def remove_member(session: Session, application: AidApplication, member_id: int) -> None:
    _require_editable(application)
    for member in application.members:
        if member.id == member_id:
            application.members.remove(member)
            session.flush()
            return


def mark_done(application: AidApplication, section: str) -> None:
    _require_editable(application)
    _done(application, section)


def save_income(application: AidApplication, *, applicant_fen: int, member_fen: dict[int, int],
                irregular: bool, housing: str | None, vehicles: int | None,
                savings_fen: int | None, circumstances: str) -> None:
    _require_editable(application)
    application.income_fen = applicant_fen
    for member in application.members:
        member.income_fen = member_fen.get(member.id, 0)
    application.irregular_income = irregular
    application.housing = housing
    application.vehicles = vehicles
    application.savings_fen = savings_fen
    application.circumstances = circumstances
    _done(application, "income")


def attach_uploads(session: Session, application: AidApplication, item: str,
                   uploads) -> list[AidFile]:
    """Store each file for one checklist item. Raises UploadRejected on the first bad file."""
    _require_editable(application)
    if item not in {entry["key"] for entry in application.aid_type.materials}:
        raise StageError(_l("That item is not on the checklist."))
    added = []
    for upload in uploads:
        stored = store_upload(session, upload, owner_id=application.applicant_id, area="aid",
                              allowed=IMAGES_AND_PDF, max_bytes=MAX_UPLOAD)
        stored.attached = True
        link = AidFile(application_id=application.id, item=item, file_id=stored.id)
        session.add(link)
        added.append(link)
    session.flush()
    session.refresh(application, ["files"])
    return added


def remove_file(session: Session, application: AidApplication, link_id: int) -> None:
    _require_editable(application)
    for link in application.files:
        if link.id == link_id and link.item != "investigation":
            link.stored_file.attached = False
            application.files.remove(link)
            session.flush()
            return


def save_consent(application: AidApplication, now: datetime) -> None:
    _require_editable(application)
    application.consent_processing_at = application.consent_processing_at or now
    application.consent_check_at = application.consent_check_at or now
    _done(application, "consent")


def files_by_item(application: AidApplication) -> dict[str, list[AidFile]]:
    grouped: dict[str, list[AidFile]] = {}
    for link in application.files:
        grouped.setdefault(link.item, []).append(link)
    return grouped


def missing_items(application: AidApplication) -> list[dict]:
    have = files_by_item(application)
    return [item for item in application.aid_type.materials
            if not item.get("optional") and not have.get(item["key"])]


def section_state(application: AidApplication) -> dict[str, str]:
    state = {}
    for section in SECTIONS:
        state[section] = "done" if section in application.sections_done else "todo"
    if state["materials"] == "todo" and application.files:
        state["materials"] = "started"
    return state


def ready_to_submit(application: AidApplication) -> bool:
    done = set(application.sections_done)
    return {"applicant", "household", "income", "consent"} <= done


def household_size(application: AidApplication) -> int:
    return 1 + len(application.members)


def total_income_fen(application: AidApplication) -> int:
    return (application.income_fen or 0) + sum(m.income_fen or 0 for m in application.members)


# --- References --------------------------------------------------------------------------------

REF_PREFIX = "A"  # A20261129-0003, from clock.next_daily_number


# --- Stages ------------------------------------------------------------------------------------

def _move(session: Session, application: AidApplication, allowed: tuple[str, ...],
          to: str) -> None:
    """Change the stage only if it is still one of ``allowed`` (safe under concurrency)."""
    if application.stage not in allowed:
        raise StageError(_l("This can't be done while the application is at the stage "
                            "“%(stage)s”.", stage=STAGE_LABELS[application.stage]))
    result = session.execute(
        update(AidApplication)
        .where(AidApplication.id == application.id, AidApplication.stage.in_(allowed))
        .values(stage=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StageError(_l("Someone else changed this application just now. Please reload."))
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
    notify(session, application.applicant_id, STAGE_MESSAGES[message_stage or stage],
           link=f"/aid/{application.url_key}", ref=application.url_key)
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
        raise StageError(_l("Please finish every section before you send the application."))
    resubmission = application.stage == "returned"
    _move(session, application, EDITABLE, "submitted")
    if application.ref is None:
        application.ref = next_daily_number(session, REF_PREFIX, today)
    application.submitted_at = now
    application.household_size = household_size(application)
    application.stage_due_on = add_working_days(session, today, ACCEPT_WITHIN)
    missing = [material_name(item) for item in missing_items(application)]
    _event(session, application, "submitted", today, due_on=application.stage_due_on,
           details={"resubmission": resubmission, "missing": missing})
    return True


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
        raise StageError(_l("Mark at least one item as missing, or write what is needed."))
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
    investigators = [name for name in investigators if name]
    if len(investigators) < 2:
        raise StageError(_l("A household visit needs at least two investigators."))
    if not findings:
        raise StageError(_l("Write down what the investigators found."))
    _move(session, application, ("accepted",), "investigation")
    for upload in photos:
        stored = store_upload(session, upload, owner_id=staff.id, area="aid",
                              allowed=IMAGES_AND_PDF, max_bytes=MAX_UPLOAD)
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
        raise StageError(_l("This type of aid has no public notice."))
    if proposed_fen <= 0:
        raise StageError(_l("Enter the proposed monthly amount."))
    _move(session, application, ("investigation",), "notice")
    application.proposed_fen = proposed_fen
    application.household_size = household_size(application)
    application.notice_starts_on = today
    application.notice_ends_on = today + timedelta(days=NOTICE_DAYS - 1)
    application.stage_due_on = application.notice_ends_on
    from portal.aid.money import format_yuan

    notice = _l("Public notice from %(start)s to %(end)s: %(name)s, household of %(size)d, "
                "proposed %(amount)s yuan a month.", start=_day(application.notice_starts_on),
                end=_day(application.notice_ends_on), name=idnumber.mask_name(application.name),
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
            raise StageError(_l("Approval comes after the public notice."))
        if application.stage == "notice" and today <= application.notice_ends_on:
            raise StageError(_l("The public notice runs until %(end)s. Decide after it ends.",
                                end=application.notice_ends_on))
        if not amount_fen or amount_fen <= 0 or not start_month:
            raise StageError(_l("Enter the monthly amount and the month payments start."))
        _move(session, application, ("investigation", "notice"), "approved")
        application.approved_fen = amount_fen
        application.start_month = start_month
        application.review_months = review_months
        year, month = (int(part) for part in start_month.split("-"))
        month += review_months
        application.next_review_on = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        from portal.aid.money import format_yuan

        notice = _l("Approved: %(amount)s yuan a month from %(month)s. Next review by "
                    "%(review)s.", amount=format_yuan(amount_fen), month=start_month,
                    review=_day(application.next_review_on))
    else:
        if not reasons:
            raise StageError(_l("Write the reasons for the refusal."))
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
        raise StageError(_l("Enter the amount paid."))
    emergency_first = application.kind == "emergency" and application.stage == "accepted"
    if application.stage != "approved" and not emergency_first:
        raise StageError(_l("Payments are recorded after approval (or at once for "
                            "emergency help)."))
    exists_already = session.scalar(select(AidPayment.id).where(
        AidPayment.application_id == application.id, AidPayment.month == month))
    if exists_already:
        raise StageError(_l("A payment for %(month)s is already recorded.", month=month))
    payment = AidPayment(application_id=application.id, month=month, amount_fen=amount_fen,
                         paid_on=today, recorded_by=staff.id)
    session.add(payment)
    from portal.aid.money import format_yuan

    if emergency_first:
        _move(session, application, ("accepted",), "emergency_paid")
        application.stage_due_on = application.deadline_on
        _event(session, application, "emergency_paid", today, due_on=application.deadline_on,
               notice=_l("Emergency help of %(amount)s yuan paid. Please complete the "
                         "paperwork by %(due)s.", amount=format_yuan(amount_fen),
                         due=_day(application.deadline_on)), actor_id=staff.id)
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
        raise StageError(_l("Reviews are scheduled for approved applications."))
    if review_on <= today:
        raise StageError(_l("Choose a review date in the future."))
    application.next_review_on = review_on
    _event(session, application, "review", today, due_on=review_on,
           notice=_l("Next review by %(date)s.", date=_day(review_on)), actor_id=staff.id)


def extend_deadline(session: Session, application: AidApplication, staff, today: date,
                    reason: str) -> None:
    if application.stage not in ("accepted", "investigation", "notice"):
        raise StageError(_l("Only an application under review can be extended."))
    if application.extended:
        raise StageError(_l("The time limit has already been extended once."))
    if not reason:
        raise StageError(_l("Write why more time is needed."))
    application.extended = True
    application.deadline_on = add_working_days(session, application.accepted_on,
                                               EXTENDED_DEADLINE)
    if application.stage == "investigation":
        application.stage_due_on = application.deadline_on
    _event(session, application, "extended", today, due_on=application.deadline_on,
           notice=reason, actor_id=staff.id)


# --- Material review ---------------------------------------------------------------------------

def material_reviews(session: Session, application: AidApplication) -> list[AidMaterialReview]:
    return list(session.scalars(select(AidMaterialReview).where(
        AidMaterialReview.application_id == application.id)))


def review_material(session: Session, application: AidApplication, staff, item: str,
                    ok: bool, note: str) -> None:
    if item not in {entry["key"] for entry in application.aid_type.materials}:
        raise StageError(_l("That item is not on the checklist."))
    review = session.scalar(select(AidMaterialReview).where(
        AidMaterialReview.application_id == application.id, AidMaterialReview.item == item))
    if review is None:
        review = AidMaterialReview(application_id=application.id, item=item)
        session.add(review)
    review.ok, review.note, review.reviewer_id, review.reviewed_at = ok, note, staff.id, utcnow()
    session.flush()


# --- Progress ----------------------------------------------------------------------------------

@dataclass
class Step:
    stage: str
    label: object
    state: str  # done, current, upcoming
    day: date | None = None
    due_on: date | None = None
    notice: str = ""
    todo: object = ""


FINAL = ("approved", "refused", "completed", "withdrawn")


def progress_steps(session: Session, application: AidApplication) -> list[Step]:
    """Every stage the application goes through, done or still to come, with its dates.

    A stage's due date is the one set when the stage before it began.
    """
    if application.kind == "emergency":
        plan = ["submitted", "accepted", "emergency_paid", "completed"]
    elif application.aid_type.needs_notice:
        plan = ["submitted", "accepted", "investigation", "notice", "decision"]
    else:
        plan = ["submitted", "accepted", "investigation", "decision"]
    latest: dict[str, AidEvent] = {}
    for event in application.events:
        latest["decision" if event.stage in ("approved", "refused") else event.stage] = event
    steps: list[Step] = []
    previous_due = None
    waiting = application.stage not in FINAL and application.stage != "returned"
    for stage in plan:
        event = latest.get(stage)
        if stage == "decision":
            label = STAGE_LABELS[event.stage] if event else _l("Decision")
        else:
            label = STAGE_LABELS[stage]
        if event is not None:
            steps.append(Step(stage, label, "done", event.day, previous_due,
                              notice_text(event)))
            previous_due = event.due_on
        elif waiting and application.stage != "draft":
            due = decision_due(session, application) if stage == "decision" \
                else application.stage_due_on
            steps.append(Step(stage, label, "next", None, due))
            waiting = False
        else:
            steps.append(Step(stage, label, "upcoming"))
    return steps


def resident_todo(application: AidApplication):
    if application.stage == "draft":
        return _l("Finish the sections and send the application.")
    if application.stage == "returned":
        return _l("Send the items listed below, then send the application again.")
    if application.stage == "emergency_paid":
        return _l("Bring or upload the remaining papers so we can complete your file.")
    return None


# --- Staff queue -------------------------------------------------------------------------------

def queue_statement(session: Session, *, type_code: str | None, stage: str | None,
                    due: str | None, id_number: str | None, today: date):
    statement = (select(AidApplication)
                 .where(AidApplication.ref.is_not(None))  # never sent: not staff business
                 .order_by(AidApplication.stage_due_on.is_(None),
                           AidApplication.stage_due_on, AidApplication.id))
    if type_code:
        statement = statement.join(AidType).where(AidType.code == type_code)
    if stage:
        statement = statement.where(AidApplication.stage == stage)
    else:
        statement = statement.where(AidApplication.stage.in_(
            (*OPEN_STAGES, "returned", "approved", "refused", "completed", "withdrawn")))
    if due == "overdue":
        statement = statement.where(AidApplication.stage_due_on < today,
                                    AidApplication.stage.in_(OPEN_STAGES))
    elif due == "soon":
        statement = statement.where(
            AidApplication.stage_due_on >= today,
            AidApplication.stage_due_on <= add_working_days(session, today, 2),
            AidApplication.stage.in_(OPEN_STAGES))
    if id_number:
        hashed = crypto.lookup_hash(id_number)
        statement = statement.where(or_(
            AidApplication.id_hash == hashed,
            exists().where(AidMember.application_id == AidApplication.id,
                           AidMember.id_hash == hashed)))
    return statement


# The staff home counts this far and then says "999+" (as the requests panel does).
PANEL_COUNT_LIMIT = 999


def queue_counts(session: Session, today: date) -> dict:
    """New, due soon and overdue, in one statement; each count walks the (stage,
    stage_due_on) index and stops after PANEL_COUNT_LIMIT + 1 entries (``capped``)."""
    soon = add_working_days(session, today, 2)
    a, open_ = AidApplication, AidApplication.stage.in_(OPEN_STAGES)
    counts = {
        "new": bounded_count(a.id, a.stage == "submitted", limit=PANEL_COUNT_LIMIT),
        "soon": bounded_count(a.id, open_, a.stage_due_on >= today, a.stage_due_on <= soon,
                              limit=PANEL_COUNT_LIMIT),
        "overdue": bounded_count(a.id, open_, a.stage_due_on < today, limit=PANEL_COUNT_LIMIT),
    }
    row = session.execute(select(*[value.label(key) for key, value in counts.items()])).one()
    values = {key: min(value or 0, PANEL_COUNT_LIMIT) for key, value in row._mapping.items()}
    values["capped"] = {key for key, value in row._mapping.items()
                        if (value or 0) > PANEL_COUNT_LIMIT}
    return values


def staff_application(session: Session, ref: str) -> AidApplication | None:
    return session.scalar(
        select(AidApplication).where(AidApplication.ref == ref)
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
        .where(AidApplication.id != application.id, AidApplication.ref.is_not(None),
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


# --- Audit log (append-only: there is no update or delete here, on purpose) --------------------

def audit(session: Session, actor, application: AidApplication | None, action: str,
          detail: str = "") -> None:
    """A line in the one audit log (area "aid"); the actions' words are in AUDIT_ACTIONS."""
    from portal.audit.service import record

    record(session, actor, "aid", action, application.url_key if application else "", detail)


AUDIT_ACTIONS = {
    "view": _l("Opened an aid application"),
    "reveal": _l("Revealed full ID numbers"),
    "search": _l("Looked up an ID number"),
    "export": _l("Downloaded the aid list"),
    "review_material": _l("Reviewed a material"),
    "accept": _l("Accepted an aid application"),
    "return_form": _l("Returned an application for materials"),
    "investigation_form": _l("Recorded the household investigation"),
    "notice_form": _l("Started the public notice"),
    "decision_form": _l("Recorded a decision"),
    "payment_form": _l("Recorded a payment"),
    "review_form": _l("Scheduled a periodic review"),
    "extend_form": _l("Extended the time limit"),
    "complete": _l("Completed the paperwork"),
}


# --- Public notices ----------------------------------------------------------------------------

def current_notices_statement(today: date):
    return (select(AidApplication.name, AidApplication.household_size,
                   AidApplication.proposed_fen, AidApplication.notice_starts_on,
                   AidApplication.notice_ends_on, AidType.name_zh, AidType.name_en)
            .join(AidType)
            .where(AidApplication.stage == "notice", AidApplication.notice_starts_on <= today,
                   AidApplication.notice_ends_on >= today)
            .order_by(AidApplication.notice_starts_on.desc(), AidApplication.id.desc()))


def public_notice_rows(rows) -> list[dict]:
    """Only the masked name, the household size and the proposed amount leave this function."""
    locale = str(get_locale() or "zh")
    return [{"name": idnumber.mask_name(row.name), "size": row.household_size,
             "amount_fen": row.proposed_fen, "ends_on": row.notice_ends_on,
             "type": row.name_en if locale.startswith("en") else row.name_zh} for row in rows]


def notices_fingerprint(today: date) -> list:
    """Changes whenever a notice starts, ends or changes: count, id sum and amounts."""
    current = and_(AidApplication.stage == "notice", AidApplication.notice_starts_on <= today,
                   AidApplication.notice_ends_on >= today)
    return [
        select(func.count()).select_from(AidApplication).where(current).scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.id), 0)).where(current).scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.proposed_fen), 0)).where(current)
        .scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.household_size), 0)).where(current)
        .scalar_subquery(),
    ]
