"""Roles and what each may do. The only place that maps roles to permissions.

Views and services ask ``user.can(Permission.X)``; they never compare role names.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.enums import LabelledEnum


class Role(LabelledEnum):
    RESIDENT = "resident", _l("Resident")
    GRID_WORKER = "grid_worker", _l("Grid worker")
    CIVIL_AFFAIRS = "civil_affairs", _l("Civil affairs officer")
    GOVERNANCE = "governance", _l("Community safety officer")
    CULTURE = "culture", _l("Culture and sports officer")
    DEPUTY_DIRECTOR = "deputy_director", _l("Deputy director")
    DIRECTOR = "director", _l("Director")
    ADMIN = "admin", _l("System administrator")

    @property
    def is_staff(self) -> bool:
        return self is not Role.RESIDENT


STAFF_ROLES = tuple(role for role in Role if role.is_staff)


class Permission(LabelledEnum):
    STAFF_AREA = "staff.area", _l("Use the back office")
    MANAGE_STAFF = "staff.manage", _l("Manage staff accounts")
    MANAGE_SETTINGS = "settings.manage", _l("Change system settings")
    READ_AUDIT_LOG = "audit.read", _l("Read the audit log")
    VIEW_FIGURES = "figures.view", _l("See community figures")

    TRIAGE_REQUESTS = "requests.triage", _l("Handle resident requests")
    # Assign to others, and see every team's queue.
    ASSIGN_REQUESTS = "requests.assign", _l("Assign requests to anyone")
    URGE_REQUESTS = "requests.urge", _l("Urge requests with a new deadline")
    MANAGE_REQUEST_SETTINGS = ("requests.settings",
                               _l("Edit request categories and reply templates"))

    REVIEW_AID = "aid.review", _l("Review aid applications")
    MANAGE_AID_TYPES = "aid.types", _l("Edit aid types")

    MANAGE_ACTIVITIES = "activities.manage", _l("Run cultural activities")
    PUBLISH_MINUTES = "minutes.publish", _l("Publish meeting minutes")
    PUBLISH_NOTICES = "notices.publish", _l("Publish notices and alerts")
    MANAGE_SURVEYS = "surveys.manage", _l("Run surveys")
    MANAGE_BOARD = "board.manage", _l("Set up the notice board")
    MANAGE_API_KEYS = "api.keys", _l("Issue and revoke API keys for other systems")

    # The care register: a grid worker sees and visits the people of their own grid;
    # managing it (adding, importing, exporting, every grid) is civil affairs' and oversight's.
    VISIT_CARE = "care.visit", _l("Visit the people in care in one's own grid")
    MANAGE_CARE = "care.manage", _l("Keep the care register")
    # Referrals between roles (转介): hand a case to another role, and take those sent to one's
    # own.
    REFER_CASES = "care.refer", _l("Refer cases to colleagues and take referrals")

    # Safety check-ins (平安报): a grid worker follows and records for the people of their own
    # grid; opening, closing and every grid are for the officers and oversight.
    FOLLOW_CHECKINS = "checkins.follow", _l("Follow safety check-ins in one's own grid")
    MANAGE_CHECKINS = "checkins.manage", _l("Open and close safety check-ins, for every grid")


P = Permission
_FRONT_LINE = {P.STAFF_AREA, P.TRIAGE_REQUESTS, P.REFER_CASES}
_OVERSIGHT = {
    P.STAFF_AREA, P.VIEW_FIGURES, P.TRIAGE_REQUESTS, P.ASSIGN_REQUESTS, P.URGE_REQUESTS,
    P.MANAGE_REQUEST_SETTINGS, P.REVIEW_AID, P.MANAGE_AID_TYPES, P.MANAGE_ACTIVITIES,
    P.PUBLISH_MINUTES, P.PUBLISH_NOTICES, P.MANAGE_SURVEYS, P.MANAGE_BOARD,
    P.VISIT_CARE, P.MANAGE_CARE, P.REFER_CASES, P.FOLLOW_CHECKINS, P.MANAGE_CHECKINS,
}
_CHECKINS = {P.FOLLOW_CHECKINS, P.MANAGE_CHECKINS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: frozenset(),
    Role.GRID_WORKER: frozenset(_FRONT_LINE | {P.VISIT_CARE, P.FOLLOW_CHECKINS}),
    Role.GOVERNANCE: frozenset(_FRONT_LINE),
    Role.CIVIL_AFFAIRS: frozenset(_FRONT_LINE | _CHECKINS | {P.REVIEW_AID, P.MANAGE_AID_TYPES,
                                                                 P.VISIT_CARE, P.MANAGE_CARE}),
    Role.CULTURE: frozenset({P.STAFF_AREA, P.MANAGE_ACTIVITIES, P.REFER_CASES}),
    Role.DEPUTY_DIRECTOR: frozenset(_OVERSIGHT),
    Role.DIRECTOR: frozenset(_OVERSIGHT | {P.MANAGE_STAFF, P.READ_AUDIT_LOG, P.MANAGE_API_KEYS}),
    Role.ADMIN: frozenset({P.STAFF_AREA, P.MANAGE_STAFF, P.MANAGE_SETTINGS, P.MANAGE_BOARD,
                           P.MANAGE_API_KEYS}),
}

# Permissions the director or deputy may hand to an individual staff member on top of their role
# ("any staff member they allow" publishing minutes, say).
GRANTABLE = (P.PUBLISH_MINUTES, P.PUBLISH_NOTICES, P.MANAGE_SURVEYS, P.MANAGE_ACTIVITIES)
