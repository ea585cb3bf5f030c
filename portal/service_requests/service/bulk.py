"""Work on many requests at once from the queue: accept, assign, change the priority, reply
with a template, close as duplicates of one request.

Each request is changed in a savepoint of its own by the same lifecycle function (and its
checks) as on its own page: a refused one is rolled back whole and does not stop the others.
The result says, request by request, what was done or why not.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.errors import DomainError
from portal.service_requests.models import ReplyTemplate, ServiceRequest
from portal.service_requests.service.lifecycle import (
    assign,
    change_category_priority,
    merge,
    reply,
    transition,
)
from portal.service_requests.service.queue import staff_scope
from portal.service_requests.service.rules import ACCEPTED

BULK_LIMIT = 100  # more than a page of the queue (25), so select-all always fits

ACCEPT, ASSIGN, PRIORITY, REPLY, MERGE = "accept", "assign", "priority", "reply", "merge"
BULK_ACTIONS = {
    ACCEPT: _l("Accept"),
    ASSIGN: _l("Assign"),
    PRIORITY: _l("Change the priority"),
    REPLY: _l("Reply with a template"),
    MERGE: _l("Close as duplicates"),
}


@dataclass(frozen=True)
class BulkChoice:
    """What a bulk action needs besides the requests: who, which priority, template, target."""

    assignee: User | None = None
    priority: int | None = None
    template: ReplyTemplate | None = None
    target: ServiceRequest | None = None


@dataclass(frozen=True)
class BulkOutcome:
    ref: str
    done: bool
    said: str  # what was done, or why not: a (lazy) translated sentence


def bulk(session: Session, staff: User, refs: list[str], action: str,
         choice: BulkChoice = BulkChoice()) -> list[BulkOutcome]:
    """Apply ``action`` to each request of ``refs`` the staff member may see, in the order
    given; a reference out of their sight is reported as not found, never changed."""
    refs = list(dict.fromkeys(ref.strip().upper()[:20] for ref in refs
                              if ref.strip()))[:BULK_LIMIT]
    found = {item.ref: item for item in session.scalars(
        select(ServiceRequest).where(ServiceRequest.ref.in_(refs), staff_scope(staff)))}
    outcomes = []
    for ref in refs:
        item = found.get(ref)
        if item is None:
            outcomes.append(BulkOutcome(ref, False, _l("Not found in your queue.")))
            continue
        if choice.target is not None and item.id == choice.target.id:
            continue  # the one the others join
        try:
            with session.begin_nested():
                said = _apply(session, staff, item, action, choice)
        except DomainError as error:
            outcomes.append(BulkOutcome(ref, False, error.message))
        else:
            outcomes.append(BulkOutcome(ref, True, said))
    session.flush()
    return outcomes


def _apply(session, staff, item, action, choice: BulkChoice):
    if action == ACCEPT:
        transition(session, item, ACCEPTED, staff)
        return _l("Accepted.")
    if action == ASSIGN:
        assign(session, item, staff, choice.assignee)
        if choice.assignee is None:
            return _l("Nobody is assigned now.")
        return _l("Assigned to %(name)s.", name=choice.assignee.name)
    if action == PRIORITY:
        change_category_priority(session, item, staff, item.category, choice.priority)
        return _l("Priority P%(priority)d, with its deadlines.", priority=choice.priority)
    if action == REPLY:
        reply(session, item, staff, choice.template.body, public=True)
        return _l("Reply “%(title)s” sent.", title=choice.template.title)
    if action == MERGE:
        merge(session, item, choice.target, staff)
        return _l("Merged into %(target)s.", target=choice.target.ref)
    raise DomainError(_l("Choose what to do with the ticked requests."))
