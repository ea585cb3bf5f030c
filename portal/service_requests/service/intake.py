"""Requests staff record: on behalf of someone who phoned or came in (代录), a 12345 hotline
work order, and the grid worker's own patrol report (网格巡查). Each enters the same queue as
a resident's own, with its channel; a registered resident finds it in their own list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.errors import DomainError
from portal.service_requests.models import RequestCategory, ServiceRequest
from portal.service_requests.service.lifecycle import _audit, assign, submit
from portal.service_requests.service.messages import RECORDED, tell
from portal.service_requests.service.rules import CHANNEL_LABELS, HOTLINE, ON_BEHALF, PATROL


def find_resident(session: Session, phone: str) -> User | None:
    """The registered, active resident with this mobile number, if any."""
    if not phone:
        return None
    return session.scalar(select(User).where(User.phone == phone,
                                             User.role == Role.RESIDENT.value,
                                             User.active.is_(True)))


def by_key(session: Session, key: str) -> ServiceRequest | None:
    """A request already recorded from this form (a double click)."""
    return session.scalar(select(ServiceRequest).where(ServiceRequest.idempotency_key == key))


def record(session: Session, staff: User, *, channel: str, category: RequestCategory,
           description: str, building: str, location: str = "", urgent: bool = False,
           many_households: bool = False, idempotency_key: str, phone: str = "",
           contact_name: str = "", order_number: str = "", photos: Iterable = (),
           now: datetime | None = None) -> ServiceRequest:
    """代录 or a hotline order. The resident found by ``phone`` owns it (and is told); with
    no account for that number, the name and phone given are kept as the contact."""
    if channel not in ON_BEHALF:
        raise DomainError(_l("Choose how the request reached you."), field="channel")
    order_number = order_number.strip()
    if channel == HOTLINE and not order_number:
        raise DomainError(_l("Enter the 12345 work order number."), field="order_number")
    resident = find_resident(session, phone)
    contact_name = contact_name.strip()
    if resident is None and channel != HOTLINE:
        if not phone:
            raise DomainError(_l("Enter the resident's mobile number, so they can be called "
                                 "back."), field="phone")
        if not contact_name:
            raise DomainError(_l("Nobody is registered with this number: enter the name "
                                 "they gave."), field="contact_name")
    request = submit(session, resident, category=category, description=description,
                     building=building, location=location, urgent=urgent,
                     many_households=many_households, idempotency_key=idempotency_key,
                     photos=photos, now=now, channel=channel,
                     external_ref=order_number if channel == HOTLINE else None,
                     recorded_by=staff)
    if resident is None:
        request.contact_name, request.contact_phone = contact_name or None, phone or None
    who = resident.name if resident else " ".join(filter(None, (contact_name, phone)))
    _audit(session, staff, "record", request,
           f"{CHANNEL_LABELS[channel]} {order_number} {who}".strip())
    if resident is not None:
        tell(session, request, RECORDED, [resident.id])
    return request


def patrol(session: Session, worker: User, *, category: RequestCategory, description: str,
           building: str, location: str = "", urgent: bool = False,
           many_households: bool = False, idempotency_key: str, photos: Iterable = (),
           now: datetime | None = None) -> ServiceRequest:
    """网格巡查: what a grid worker found on their round, with no resident behind it. It is
    theirs to handle when the category is their team's."""
    request = submit(session, None, category=category, description=description,
                     building=building, location=location, urgent=urgent,
                     many_households=many_households, idempotency_key=idempotency_key,
                     photos=photos, now=now, channel=PATROL, recorded_by=worker)
    _audit(session, worker, "record", request, str(CHANNEL_LABELS[PATROL]))
    if category.role == worker.role:
        assign(session, request, worker, worker, now=now)
    return request
