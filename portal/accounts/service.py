"""Accounts: registration, sign-in, sessions, passwords and staff accounts. Never commits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session

from portal.accounts import passwords
from portal.accounts.models import User, UserGrant, new_session_token
from portal.accounts.roles import GRANTABLE, ROLE_PERMISSIONS, STAFF_ROLES, Permission, Role
from portal.audit.service import record
from portal.clock import utcnow
from portal.errors import DomainError
from portal.registry import AuditAction
from portal.web.inputs import bounded_int
from portal.web.typed import phone_number

PHONE_PATTERN = re.compile(r"1[0-9]{10}")
AREA = "accounts"
AUDIT_ACTIONS = (
    AuditAction(AREA, "staff_created", _l("Created a staff account")),
    AuditAction(AREA, "staff_deactivated", _l("Deactivated an account")),
    AuditAction(AREA, "staff_reactivated", _l("Reactivated an account")),
    AuditAction(AREA, "password_reset", _l("Reset a password")),
    AuditAction(AREA, "permission_granted", _l("Granted a permission")),
    AuditAction(AREA, "permission_revoked", _l("Withdrew a permission")),
    AuditAction(AREA, "oversees_changed", _l("Changed the teams a deputy oversees")),
)


def normalise_phone(raw: str) -> str:
    """Drop spaces, dashes, full-width forms and a leading +86 that people type or paste."""
    return phone_number(raw or "")


def phone_problem(phone: str) -> str | None:
    if not phone.isascii() or not phone.isdigit():
        return _("Enter your phone number using digits only, like 138 0013 8000.")
    if len(phone) != 11:
        return _("A mobile number has 11 digits; you entered %(n)d.", n=len(phone))
    if not PHONE_PATTERN.fullmatch(phone):
        return _("A mainland mobile number starts with 1.")
    return None


def find_by_phone(session: Session, phone: str) -> User | None:
    return session.scalar(select(User).where(User.phone == phone))


class PhoneTaken(DomainError):
    """The number already has an account. Registration counts these against its limit:
    the answer tells whoever asks that the number is registered."""


class WrongPassword(DomainError):
    """The phone number and password don't match an active account; a sign-in that counts
    against the limits. Phrased so that it never tells which of the two was wrong."""


def _check_new_account(session: Session, phone: str, password: str) -> None:
    problem = phone_problem(phone)
    if problem:
        raise DomainError(problem, "phone")
    # The password first: only a registration that could succeed learns whether the
    # number is taken, and only those are counted against the address's limit.
    problem = passwords.password_problem(password, phone)
    if problem:
        raise DomainError(problem, "password")
    if find_by_phone(session, phone):
        raise PhoneTaken(_l("This phone number already has an account. Sign in instead, "
                            "or ask the community office to reset your password."), "phone")


def register_resident(session: Session, *, phone: str, name: str, password: str,
                      building: str, unit: str, room: str, locale: str | None = None) -> User:
    _check_new_account(session, phone, password)
    user = User(phone=phone, name=name, password_hash=passwords.hash_password(password),
                role=Role.RESIDENT.value, building=building, unit=unit, room=room,
                locale=locale)
    session.add(user)
    session.flush()
    return user


_WRONG_PASSWORD = _l("The phone number or password is not right. Check them and try again.")


# --- who may manage whom ------------------------------------------------------------------
# Nobody creates, promotes, reactivates, deactivates or resets the password of an account
# that holds a permission they don't hold themselves: otherwise the technical admin could
# make a director, sign in as it and read aid files. The first director comes from
# ``portal create-user`` (acting=None: the operator at the machine).

def may_hold(acting: User | None, permissions) -> bool:
    return acting is None or frozenset(permissions) <= acting.permissions


def may_manage(acting: User | None, user: User) -> bool:
    return may_hold(acting, user.permissions)


def _require_may_hold(acting: User | None, permissions) -> None:
    if not may_hold(acting, permissions):
        raise DomainError(_l("You can't do that: this account would have permissions that "
                             "you don't have yourself. Ask the director."))


def creatable_roles(acting: User | None) -> list[Role]:
    """The staff roles ``acting`` may give to a new account."""
    return [role for role in STAFF_ROLES if may_hold(acting, ROLE_PERMISSIONS[role])]


def grantable_permissions(acting: User | None) -> list[Permission]:
    return [permission for permission in GRANTABLE if may_hold(acting, {permission})]


def create_staff(session: Session, *, phone: str, name: str, role: Role | str,
                 password: str, acting: User | None) -> User:
    role = Role(role)
    _require_may_hold(acting, ROLE_PERMISSIONS[role])
    _check_new_account(session, phone, password)
    user = User(phone=phone, name=name, password_hash=passwords.hash_password(password),
                role=role.value)
    session.add(user)
    session.flush()
    _audit(session, acting, "staff_created", user, role.value)
    return user


def _audit(session: Session, acting: User | None, action: str, user: User,
           detail: str = "") -> None:
    record(session, acting, AREA, action, f"#{user.id} {user.name}", detail)


def authenticate(session: Session, phone: str, password: str) -> User:
    """The user whose phone and password these are; WrongPassword otherwise, in equal time
    whether or not the number has an account."""
    user = find_by_phone(session, phone)
    if user is None:
        passwords.burn_time(password)
        raise WrongPassword(_WRONG_PASSWORD, "password")
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        raise WrongPassword(_WRONG_PASSWORD, "password")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


# --- sessions ------------------------------------------------------------------------------

def session_lifetime(user: User, *, resident_days: float, staff_hours: float) -> timedelta:
    """How long one sign-in lasts: staff for a working day, residents at most N days."""
    if user.is_staff:
        return timedelta(hours=staff_hours)
    return timedelta(days=resident_days)


def lifetime_settings(config) -> dict[str, float]:
    """PORTAL_RESIDENT_SESSION_DAYS and PORTAL_STAFF_SESSION_HOURS, as session_lifetime's
    keywords (fractions allowed: a test sets a lifetime of seconds)."""
    return {"resident_days": float(config["RESIDENT_SESSION_DAYS"]),
            "staff_hours": float(config["STAFF_SESSION_HOURS"])}


def sign_in_ends_at(user: User, *, resident_days: float, staff_hours: float) -> datetime | None:
    """When this sign-in ends on the server (None before it is known)."""
    if user.signed_in_at is None:
        return None
    return user.signed_in_at + session_lifetime(user, resident_days=resident_days,
                                                staff_hours=staff_hours)


def load_session_user(session: Session, cookie_id: str, *, now: datetime, resident_days: float,
                      staff_hours: float, options=()) -> User | None:
    """Resolve the login cookie (the session's or the remember-me one).

    It names the user, the account's session token and when the sign-in began. A rotated
    token (signed out, password changed, deactivated), an inactive account or a sign-in
    older than its lifetime all answer None: the visitor is signed out.
    """
    user_id, token, began = (cookie_id.split(":") + ["", "", ""])[:3]
    user_id, began = bounded_int(user_id), bounded_int(began, maximum=2**40)
    if user_id is None or began is None or not token:
        return None
    # The grants come in the same statement (every page asks what the user may do), and what
    # the areas ask for with it (``options``: the registry's UserLoadOptions).
    user = session.get(User, user_id, options=[joinedload(User.grants), *options])
    if user is None or not user.active or user.session_token != token:
        return None
    signed_in_at = datetime.fromtimestamp(began, UTC)
    lifetime = session_lifetime(user, resident_days=resident_days, staff_hours=staff_hours)
    if now - signed_in_at > lifetime:
        return None
    user.signed_in_at = signed_in_at
    return user


def end_all_sessions(user: User) -> None:
    """Sign the account out everywhere: every cookie that carries the old token stops
    working, remember-me cookies included."""
    user.session_token = new_session_token()


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError(_l("That is not your current password."), "current_password")
    set_password(user, new)


def set_password(user: User, new: str, field: str = "new_password") -> None:
    problem = passwords.password_problem(new, user.phone)
    if problem:
        raise DomainError(problem, field)
    user.password_hash = passwords.hash_password(new)
    end_all_sessions(user)


def reset_password(user: User, new: str, acting: User) -> None:
    """A manager sets a new password for a staff member, who is signed out everywhere."""
    if user.id == acting.id:
        raise DomainError(_l("Change your own password under My account."))
    _require_may_hold(acting, user.permissions)
    set_password(user, new)
    _audit(object_session(user), acting, "password_reset", user)


def update_profile(user: User, *, name: str, building: str | None, unit: str | None,
                   room: str | None) -> None:
    user.name = name
    user.building, user.unit, user.room = building, unit, room


def active_residents_statement():
    """The ids of every resident who can sign in (for messages to all residents)."""
    return select(User.id).where(User.role == Role.RESIDENT.value, User.active.is_(True))


def staff_statement(include_inactive: bool = True):
    statement = select(User).where(User.role.in_([role.value for role in STAFF_ROLES]))
    if not include_inactive:
        statement = statement.where(User.active.is_(True))
    return statement.order_by(User.active.desc(), User.name)


def get_staff(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def set_active(user: User, active: bool, acting: User) -> None:
    if user.id == acting.id and not active:
        raise DomainError(_l("You can't deactivate your own account."))
    _require_may_hold(acting, user.permissions)
    if user.active != active:
        _audit(object_session(user), acting,
               "staff_reactivated" if active else "staff_deactivated", user)
    user.active = active
    if not active:
        end_all_sessions(user)


def set_grants(session: Session, user: User, permissions: list[str], acting: User) -> None:
    """Give exactly these extra permissions (of the grantable ones) on top of the role."""
    wanted = {Permission(p) for p in permissions if p in {g.value for g in GRANTABLE}}
    # Both what the account has now and what it would have: neither may exceed one's own.
    _require_may_hold(acting, user.permissions | wanted)
    for grant in list(user.grants):
        if Permission(grant.permission) not in wanted:
            session.delete(grant)
            _audit(session, acting, "permission_revoked", user, grant.permission)
    held = {Permission(grant.permission) for grant in user.grants}
    for permission in sorted(wanted - held, key=lambda p: p.value):
        user.grants.append(UserGrant(permission=permission.value, granted_by_id=acting.id))
        _audit(session, acting, "permission_granted", user, permission.value)
