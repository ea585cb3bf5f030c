"""Accounts: registration, sign-in, passwords and staff accounts. Never commits."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import passwords
from portal.accounts.models import User, UserGrant, new_session_token
from portal.accounts.roles import GRANTABLE, STAFF_ROLES, Permission, Role
from portal.clock import utcnow

PHONE_PATTERN = re.compile(r"1\d{10}")


class AccountError(Exception):
    """A rule was broken; the message says what to do, and ``field`` where."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_phone(raw: str) -> str:
    """Drop spaces, dashes and a leading +86 that people type or paste."""
    phone = re.sub(r"[\s\-()]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def phone_problem(phone: str) -> str | None:
    if not phone.isdigit():
        return _("Enter your phone number using digits only, like 138 0013 8000.")
    if len(phone) != 11:
        return _("A mobile number has 11 digits; you entered %(n)d.", n=len(phone))
    if not PHONE_PATTERN.fullmatch(phone):
        return _("A mainland mobile number starts with 1.")
    return None


def find_by_phone(session: Session, phone: str) -> User | None:
    return session.scalar(select(User).where(User.phone == phone))


def _check_new_account(session: Session, phone: str, password: str) -> None:
    problem = phone_problem(phone)
    if problem:
        raise AccountError(problem, "phone")
    if find_by_phone(session, phone):
        raise AccountError(_("This phone number already has an account. Sign in instead, "
                             "or ask the community office to reset your password."), "phone")
    problem = passwords.password_problem(password, phone)
    if problem:
        raise AccountError(problem, "password")


def register_resident(session: Session, *, phone: str, name: str, password: str,
                      building: str, unit: str, room: str, locale: str | None = None) -> User:
    _check_new_account(session, phone, password)
    user = User(phone=phone, name=name, password_hash=passwords.hash_password(password),
                role=Role.RESIDENT.value, building=building, unit=unit, room=room,
                locale=locale)
    session.add(user)
    session.flush()
    return user


def create_staff(session: Session, *, phone: str, name: str, role: Role | str,
                 password: str) -> User:
    role = Role(role)
    _check_new_account(session, phone, password)
    user = User(phone=phone, name=name, password_hash=passwords.hash_password(password),
                role=role.value)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, phone: str, password: str) -> User | None:
    """The user if phone and password match an active account; otherwise None, in equal time."""
    user = find_by_phone(session, phone)
    if user is None:
        passwords.burn_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def load_session_user(session: Session, cookie_id: str) -> User | None:
    """Resolve the login cookie. A rotated token or a deactivated account signs out."""
    user_id, _sep, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def end_all_sessions(user: User) -> None:
    user.session_token = new_session_token()


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError(_("That is not your current password."), "current_password")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    problem = passwords.password_problem(new, user.phone)
    if problem:
        raise AccountError(problem, "new_password")
    user.password_hash = passwords.hash_password(new)
    end_all_sessions(user)


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
        raise AccountError(_("You can't deactivate your own account."))
    user.active = active
    if not active:
        end_all_sessions(user)


def set_grants(session: Session, user: User, permissions: list[str], acting: User) -> None:
    wanted = {Permission(p) for p in permissions if p in {g.value for g in GRANTABLE}}
    for grant in list(user.grants):
        if Permission(grant.permission) not in wanted:
            session.delete(grant)
    held = {Permission(grant.permission) for grant in user.grants}
    for permission in wanted - held:
        user.grants.append(UserGrant(permission=permission.value, granted_by_id=acting.id))
