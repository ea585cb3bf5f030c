"""Roles and what each may do. The only place that maps roles to permissions.

Views and services ask ``user.can(Permission.X)``; they never compare role names.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    CIVIL_AFFAIRS = "civil_affairs"
    GOVERNANCE = "governance"
    CULTURE = "culture"
    DEPUTY_DIRECTOR = "deputy_director"
    DIRECTOR = "director"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.RESIDENT


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.GRID_WORKER: _l("Grid worker"),
    Role.CIVIL_AFFAIRS: _l("Civil affairs officer"),
    Role.GOVERNANCE: _l("Community safety officer"),
    Role.CULTURE: _l("Culture and sports officer"),
    Role.DEPUTY_DIRECTOR: _l("Deputy director"),
    Role.DIRECTOR: _l("Director"),
    Role.ADMIN: _l("System administrator"),
}

STAFF_ROLES = tuple(role for role in Role if role.is_staff)


class Permission(StrEnum):
    STAFF_AREA = "staff.area"  # may enter /staff/ at all
    MANAGE_STAFF = "staff.manage"  # staff accounts
    MANAGE_SETTINGS = "settings.manage"
    READ_AUDIT_LOG = "audit.read"
    VIEW_FIGURES = "figures.view"

    TRIAGE_REQUESTS = "requests.triage"  # work the request queue
    ASSIGN_REQUESTS = "requests.assign"  # assign to others, see every queue
    MANAGE_REQUEST_SETTINGS = "requests.settings"  # categories, response templates

    REVIEW_AID = "aid.review"
    MANAGE_AID_TYPES = "aid.types"

    MANAGE_ACTIVITIES = "activities.manage"
    PUBLISH_MINUTES = "minutes.publish"
    PUBLISH_NOTICES = "notices.publish"
    MANAGE_SURVEYS = "surveys.manage"
    MANAGE_BOARD = "board.manage"

    @property
    def label(self):
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.STAFF_AREA: _l("Use the back office"),
    Permission.MANAGE_STAFF: _l("Manage staff accounts"),
    Permission.MANAGE_SETTINGS: _l("Change system settings"),
    Permission.READ_AUDIT_LOG: _l("Read the audit log"),
    Permission.VIEW_FIGURES: _l("See community figures"),
    Permission.TRIAGE_REQUESTS: _l("Handle resident requests"),
    Permission.ASSIGN_REQUESTS: _l("Assign requests to anyone"),
    Permission.MANAGE_REQUEST_SETTINGS: _l("Edit request categories and reply templates"),
    Permission.REVIEW_AID: _l("Review aid applications"),
    Permission.MANAGE_AID_TYPES: _l("Edit aid types"),
    Permission.MANAGE_ACTIVITIES: _l("Run cultural activities"),
    Permission.PUBLISH_MINUTES: _l("Publish meeting minutes"),
    Permission.PUBLISH_NOTICES: _l("Publish notices and alerts"),
    Permission.MANAGE_SURVEYS: _l("Run surveys"),
    Permission.MANAGE_BOARD: _l("Set up the notice board"),
}

P = Permission
_FRONT_LINE = {P.STAFF_AREA, P.TRIAGE_REQUESTS}
_OVERSIGHT = {
    P.STAFF_AREA, P.VIEW_FIGURES, P.TRIAGE_REQUESTS, P.ASSIGN_REQUESTS,
    P.MANAGE_REQUEST_SETTINGS, P.REVIEW_AID, P.MANAGE_AID_TYPES, P.MANAGE_ACTIVITIES,
    P.PUBLISH_MINUTES, P.PUBLISH_NOTICES, P.MANAGE_SURVEYS, P.MANAGE_BOARD,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: frozenset(),
    Role.GRID_WORKER: frozenset(_FRONT_LINE),
    Role.GOVERNANCE: frozenset(_FRONT_LINE),
    Role.CIVIL_AFFAIRS: frozenset(_FRONT_LINE | {P.REVIEW_AID, P.MANAGE_AID_TYPES}),
    Role.CULTURE: frozenset({P.STAFF_AREA, P.MANAGE_ACTIVITIES}),
    Role.DEPUTY_DIRECTOR: frozenset(_OVERSIGHT),
    Role.DIRECTOR: frozenset(_OVERSIGHT | {P.MANAGE_STAFF, P.READ_AUDIT_LOG}),
    Role.ADMIN: frozenset({P.STAFF_AREA, P.MANAGE_STAFF, P.MANAGE_SETTINGS, P.MANAGE_BOARD}),
}

# Permissions the director or deputy may hand to an individual staff member on top of their role
# ("any staff member they allow" publishing minutes, say).
GRANTABLE = (P.PUBLISH_MINUTES, P.PUBLISH_NOTICES, P.MANAGE_SURVEYS, P.MANAGE_ACTIVITIES)
