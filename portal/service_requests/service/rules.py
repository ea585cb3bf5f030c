"""The vocabulary of requests: statuses, who may move a request where, what residents are told,
priorities and the teams that handle them."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from portal.errors import DomainError

AREA = "requests"  # the files area whose access rule covers request photos


SUBMITTED, ACCEPTED, IN_PROGRESS, RESOLVED, CLOSED = (
    "submitted", "accepted", "in_progress", "resolved", "closed")


REJECTED, DUPLICATE, TRANSFERRED, WITHDRAWN = "rejected", "duplicate", "transferred", "withdrawn"


# 上报街道: waiting on the street office. Not open for the community's queue and deadlines
# (its clock is paused there), but not finished for the resident either.
WITH_STREET = "with_street"


OPEN = (SUBMITTED, ACCEPTED, IN_PROGRESS)


UNFINISHED = (*OPEN, WITH_STREET)


STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ACCEPTED: _l("Accepted"),
    IN_PROGRESS: _l("Being handled"),
    RESOLVED: _l("Resolved"),
    CLOSED: _l("Closed"),
    REJECTED: _l("Not accepted"),
    DUPLICATE: _l("Merged"),
    TRANSFERRED: _l("Passed to another office"),
    WITHDRAWN: _l("Withdrawn"),
    WITH_STREET: _l("Escalated to the street office"),
}


STATUSES = tuple(STATUS_LABELS)


# Who may move a request from one status to another: staff, the owner, or the system clock.
STAFF, OWNER, SYSTEM = "staff", "owner", "system"


TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    SUBMITTED: {ACCEPTED: frozenset({STAFF}), REJECTED: frozenset({STAFF}),
                DUPLICATE: frozenset({STAFF}), TRANSFERRED: frozenset({STAFF}),
                WITHDRAWN: frozenset({OWNER}), WITH_STREET: frozenset({STAFF})},
    ACCEPTED: {IN_PROGRESS: frozenset({STAFF}), RESOLVED: frozenset({STAFF}),
               REJECTED: frozenset({STAFF}), DUPLICATE: frozenset({STAFF}),
               TRANSFERRED: frozenset({STAFF}), WITH_STREET: frozenset({STAFF})},
    IN_PROGRESS: {RESOLVED: frozenset({STAFF}), DUPLICATE: frozenset({STAFF}),
                  TRANSFERRED: frozenset({STAFF}), WITH_STREET: frozenset({STAFF})},
    # The street office's answer came back: staff record it and resolve or carry on.
    WITH_STREET: {RESOLVED: frozenset({STAFF}), IN_PROGRESS: frozenset({STAFF})},
    # The owner reopens (an unhappy rating) or closes (a rating); the clock closes unrated ones.
    RESOLVED: {CLOSED: frozenset({STAFF, OWNER, SYSTEM}), IN_PROGRESS: frozenset({OWNER})},
    CLOSED: {}, REJECTED: {}, DUPLICATE: {}, TRANSFERRED: {}, WITHDRAWN: {},
}


# What the owner and followers were told before messages said what happened in words
# (service/messages.py): kept so that the messages already in inboxes are still translated.
STATUS_MESSAGES = {
    ACCEPTED: _l("Request %(ref)s has been accepted."),
    IN_PROGRESS: _l("Request %(ref)s is being handled."),
    RESOLVED: _l("Request %(ref)s has been resolved. Please tell us how it was handled."),
    CLOSED: _l("Request %(ref)s is closed."),
    REJECTED: _l("Request %(ref)s could not be accepted. Open it to see why."),
    DUPLICATE: _l("Request %(ref)s was merged into %(target)s, which you now follow."),
    TRANSFERRED: _l("Request %(ref)s was passed to another office. Open it for details."),
    WITHDRAWN: _l("Request %(ref)s was withdrawn."),
}


REOPENED_MESSAGE = _l("Request %(ref)s has been reopened.")


REPLY_MESSAGE = _l("There is a new reply on request %(ref)s.")


# How a request reached the office (ServiceRequest.channel).
WEB, PHONE, VISIT, PATROL, HOTLINE = "web", "phone", "visit", "patrol", "hotline"
CHANNEL_LABELS = {
    "web": _l("The portal"),
    "phone": lazy_pgettext("how a request came in", "Phone call"),
    "visit": _l("Visit to the office"),
    "patrol": _l("Grid patrol"),
    "hotline": _l("12345 hotline"),
    "api": _l("Another system (API)"),
}
# What staff record on someone's behalf (代录), and the grid worker's own patrol report.
ON_BEHALF = (PHONE, VISIT, HOTLINE)


PRIORITY_LABELS = {1: _l("P1 urgent, many households"), 2: _l("P2 urgent or many households"),
                   3: _l("P3 routine")}


TRIAGE_ROLES = tuple(role.value for role, perms in ROLE_PERMISSIONS.items()
                     if Permission.TRIAGE_REQUESTS in perms)


ROUTING_ROLES = (Role.GRID_WORKER, Role.GOVERNANCE, Role.CIVIL_AFFAIRS)


REF_PREFIX = "R"


REF_PATTERN = re.compile(r"^R\d{8}-\d{4,}$")


def allowed_next(status: str, actor: str) -> list[str]:
    return [target for target, who in TRANSITIONS[status].items() if actor in who]


def check_transition(current: str, target: str, actor: str) -> None:
    if actor not in TRANSITIONS.get(current, {}).get(target, frozenset()):
        raise DomainError(_l("A request that is “%(current)s” can't be changed to "
                              "“%(target)s”.", current=STATUS_LABELS[current],
                              target=STATUS_LABELS.get(target, target)))


# The words for staff actions on requests in the one audit log (registered by init_app).
AUDIT_ACTIONS = {
    f"to_{ACCEPTED}": _l("Accepted a request"),
    f"to_{IN_PROGRESS}": _l("Started handling a request"),
    f"to_{RESOLVED}": _l("Resolved a request"),
    f"to_{CLOSED}": _l("Closed a request"),
    f"to_{REJECTED}": _l("Did not accept a request"),
    f"to_{TRANSFERRED}": _l("Passed a request to another office"),
    "assign": _l("Assigned a request"),
    "edit": _l("Changed a request's category or priority"),
    "merge": _l("Merged a duplicate request"),
    "reply": _l("Replied to a resident"),
    "note": _l("Added an internal note"),
    f"to_{WITH_STREET}": _l("Escalated a request to the street office"),
    "street_answer": _l("Recorded the street office's answer"),
    "urge": _l("Urged a request"),
    "escalate": _l("Escalated an overdue request to the deputy directors"),
    "record": _l("Recorded a request for a resident"),
}
