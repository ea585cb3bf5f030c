"""Likely duplicates of a request, for its staff page: the same building and category, open
or received in the last 30 days, and a description that says much the same.

One bounded query over ``ix_service_request_similar`` (building, category, status) reads at
most ``CANDIDATES`` neighbours; the text is compared here, by the share of two-character
pieces the two descriptions have in common (the pieces the text search indexes too), which
is what tells 单元门门禁坏了 from 楼道灯坏了 in the same building.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.queue import staff_scope
from portal.service_requests.service.rules import DUPLICATE, OPEN

RECENT_DAYS = 30
CANDIDATES = 50
SHOWN = 5
# The Dice share of pieces in common above which two descriptions look like the same
# problem: two short sentences about one broken door share half their pieces or more, two
# different problems in one building a word or two.
ALIKE = 0.3


def pieces(text: str) -> set[str]:
    """The two-character pieces of a text, letters and digits only: 门禁坏了 -> 门禁 禁坏 坏了."""
    plain = "".join(char for char in (text or "").lower() if char.isalnum())
    return {plain[i:i + 2] for i in range(len(plain) - 1)} or ({plain} if plain else set())


def alike(first: str, second: str) -> float:
    one, two = pieces(first), pieces(second)
    if not one or not two:
        return 0.0
    return 2 * len(one & two) / (len(one) + len(two))


def likely_duplicates(session: Session, staff: User, request: ServiceRequest,
                      now: datetime) -> list[ServiceRequest]:
    """The requests this one may duplicate (or that duplicate it), the most alike first;
    only those the staff member may see, never one already merged."""
    if request.status == DUPLICATE:
        return []
    recent = now - timedelta(days=RECENT_DAYS)
    candidates = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.building == request.building,
               ServiceRequest.category_id == request.category_id,
               ServiceRequest.id != request.id, ServiceRequest.status != DUPLICATE,
               or_(ServiceRequest.status.in_(OPEN), ServiceRequest.created_at >= recent),
               staff_scope(staff))
        .order_by(ServiceRequest.created_at.desc()).limit(CANDIDATES))
    scored = [(alike(request.description, item.description), item) for item in candidates]
    scored = [(score, item) for score, item in scored if score >= ALIKE]
    scored.sort(key=lambda pair: -pair[0])
    return [item for _score, item in scored[:SHOWN]]
