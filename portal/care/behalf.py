"""代办: civil affairs start an aid application for a person in care, from their file or from
a referral, and fill it in with the family through the aid area's own pages and service. It
is the person's when they have a portal account (their /aid/ list); else it belongs to no
account and only aid staff reach it. Sending it closes the referral it answers."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.roles import Permission
from portal.audit.service import record
from portal.care import referrals
from portal.care.models import CarePerson, CareReferral
from portal.care.service import AREA, audit_target
from portal.errors import DomainError


def start(session: Session, actor, person: CarePerson, *, aid_type, kind: str | None,
          start_key: str, now: datetime, referral: CareReferral | None = None):
    from portal.aid import service as aid

    if not actor.can(Permission.REVIEW_AID):
        raise DomainError(_l("Only civil affairs can file an aid application for a family."))
    if referral is not None and referral.finished:
        raise DomainError(_l("This referral is finished: start the application from the "
                             "person's file instead."))
    application = aid.start_for(session, actor, aid_type, kind, start_key,
                                applicant_id=person.user_id, name=person.name,
                                phone=person.phone)
    record(session, actor, AREA, "aid_on_behalf", audit_target(person),
           aid.localized(aid_type, "name"))
    if referral is not None:
        referral.aid_application_id = application.id
        if referral.status == "open":
            referrals.accept(session, actor, referral, now, referrals.about(referral, person),
                             check_role=False)
    return application


def submitted(session: Session, application, actor, now: datetime) -> int:
    """The application was sent: each unfinished referral it answers is done, and whoever
    referred it is told."""
    found = session.execute(
        select(CareReferral, CarePerson)
        .outerjoin(CarePerson, CarePerson.id == CareReferral.person_id)
        .where(CareReferral.aid_application_id == application.id,
               CareReferral.status.in_(referrals.UNFINISHED))).all()
    for referral, person in found:
        referrals.close(session, actor, referral, status="done",
                        outcome=gettext("Aid application %(ref)s was filed on their behalf "
                                        "and sent to the office.", ref=application.ref),
                        now=now, about_text=referrals.about(referral, person),
                        check_role=False)
    return len(found)
