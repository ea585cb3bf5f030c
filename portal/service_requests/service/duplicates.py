"""Likely duplicates of a request, for its staff page: the same building and category, open
or received in the last 30 days, and a description that says much the same.

One bounded query reads at most ``CANDIDATES`` neighbours: the open ones (a partial index
over open requests) and those of the last 30 days (a range of the category's creation-time
index); the text is compared here, by the share of two-character
pieces the two descriptions have in common (the pieces the text search indexes too), which
is what tells 单元门门禁坏了 from 楼道灯坏了 in the same building.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.queue import open_clause, staff_scope
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
    only those the staff member may see, never one already merged. Only an open request
    can be merged, so only an open one is asked about."""
    if request.status not in OPEN:
        return []
    same = (ServiceRequest.building == request.building,
            ServiceRequest.category_id == request.category_id)
    # Open ones through the partial index over open requests by building; recent ones
    # through the category's creation-time index, a range of 30 days.
    still_open = select(ServiceRequest.id).where(open_clause(), *same)
    recent = select(ServiceRequest.id).where(
        ServiceRequest.category_id == request.category_id,
        ServiceRequest.created_at >= now - timedelta(days=RECENT_DAYS),
        ServiceRequest.building == request.building, ServiceRequest.status != DUPLICATE)
    candidates = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.id.in_(union(still_open, recent)),
               ServiceRequest.id != request.id, staff_scope(staff))
        .order_by(ServiceRequest.created_at.desc()).limit(CANDIDATES))
    scored = [(alike(request.description, item.description), item) for item in candidates]
    scored = [(score, item) for score, item in scored if score >= ALIKE]
    scored.sort(key=lambda pair: -pair[0])
    return [item for _score, item in scored[:SHOWN]]
