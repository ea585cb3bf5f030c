"""Drafting an application: the sections a resident fills in, the household, the materials
and what is still missing before it can be sent."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal import crypto
from portal.aid import idnumber
from portal.aid.models import AidApplication, AidFile, AidMember, AidType
from portal.aid.service.rules import EDITABLE, SECTIONS, UnknownItem, localized
from portal.errors import DomainError
from portal.notifications.service import in_each_language, notify


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


FILED_FOR_YOU = _l("The community office started an application for %(aid)s with you, on "
                   "your behalf. You can follow it here.")


def start_for(session: Session, staff, aid_type: AidType, kind: str | None, start_key: str, *,
              applicant_id: int | None, name: str, phone: str | None) -> AidApplication:
    """代办: a draft staff fill in with the family, on their behalf. It is the person's own
    (their /aid/ list, and they are told) when they have an account; else it belongs to no
    account and only staff reach it. Sending the same start form twice returns the first."""
    found = session.scalar(select(AidApplication).where(AidApplication.start_key == start_key,
                                                        AidApplication.filed_by_id == staff.id))
    if found is not None:
        return found
    application = AidApplication(
        key="d" + secrets.token_urlsafe(12), start_key=start_key, applicant_id=applicant_id,
        filed_by_id=staff.id, type_id=aid_type.id,
        kind=kind if aid_type.has_kinds else None, stage="draft", sections_done=[],
        name=name, phone=phone)
    session.add(application)
    session.flush()
    if applicant_id is not None:
        notify(session, applicant_id, FILED_FOR_YOU, link=f"/aid/{application.url_key}",
               aid=in_each_language(lambda: localized(aid_type, "name")))
    return application


def filed_by_staff(session: Session, key: str) -> AidApplication | None:
    """An application staff filed on someone's behalf (代办), by reference or draft key."""
    return session.scalar(
        select(AidApplication)
        .where(or_(AidApplication.ref == key, AidApplication.key == key),
               AidApplication.filed_by_id.is_not(None))
        .options(selectinload(AidApplication.members), selectinload(AidApplication.files),
                 selectinload(AidApplication.events)))


def drafts_filed_by(session: Session, staff_id: int) -> list[AidApplication]:
    """The 代办 applications this staff member started and has not sent yet: where to go on."""
    return list(session.scalars(
        select(AidApplication).where(AidApplication.filed_by_id == staff_id,
                                     AidApplication.stage.in_(EDITABLE))
        .order_by(AidApplication.created_at.desc()).limit(20)))


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
        raise DomainError(_l("This application has been sent and can't be changed now."))


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


def require_item(application: AidApplication, item: str) -> None:
    if item not in {entry["key"] for entry in application.aid_type.materials}:
        raise UnknownItem(_l("That item is not on the checklist."))


def attach_files(session: Session, application: AidApplication, item: str,
                 stored_files) -> list[AidFile]:
    """Link files already stored (``files.service.take_uploads``) to one checklist item."""
    _require_editable(application)
    require_item(application, item)
    added = []
    for stored in stored_files:
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


def materials_complete(application: AidApplication) -> bool:
    """Every required item has a file; a checklist of only optional items once looked at."""
    if missing_items(application):
        return False
    return bool(application.files) or "materials" in application.sections_done


def section_state(application: AidApplication) -> dict[str, str]:
    state = {}
    for section in SECTIONS:
        state[section] = "done" if section in application.sections_done else "todo"
    # Materials are done only when nothing required is missing, whatever was pressed.
    if materials_complete(application):
        state["materials"] = "done"
    elif application.files:
        state["materials"] = "started"
    else:
        state["materials"] = "todo"
    return state


def next_section(application: AidApplication, after: str) -> str | None:
    """Where "save and continue" goes when the person is going through in order: the next
    part not gone through yet, or check answers when everything needed to send is done.
    None (the task list) when a part before this one is still open: they came from the list.
    Materials count as gone through once saved, complete or not: they may be sent later."""
    passed = set(application.sections_done)
    if materials_complete(application):
        passed.add("materials")
    place = SECTIONS.index(after)
    if any(section not in passed for section in SECTIONS[:place]):
        return None
    for section in SECTIONS[place + 1:]:
        if section not in passed:
            return section
    return "check" if ready_to_submit(application) else None


def ready_to_submit(application: AidApplication) -> bool:
    done = set(application.sections_done)
    return {"applicant", "household", "income", "consent"} <= done


def household_size(application: AidApplication) -> int:
    return 1 + len(application.members)


def total_income_fen(application: AidApplication) -> int:
    return (application.income_fen or 0) + sum(m.income_fen or 0 for m in application.members)

