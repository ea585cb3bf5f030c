"""The one permission helper. Views declare what they need; nobody compares role names."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user

from portal.accounts.roles import Permission
from portal.extensions import login

# On a blueprint whose every URL needs a sign-in (portal/keptforms keeps its forms).
SIGNED_IN_ONLY_ATTR = "signed_in_only"


def deny_unless(permission: Permission) -> None:
    """Send a visitor to sign in, and refuse a signed-in user without the permission."""
    if not current_user.is_authenticated:
        abort(login.unauthorized())
    if not current_user.can(permission):
        abort(403)


def permission_required(permission: Permission):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            deny_unless(permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A back-office blueprint: every URL on it needs at least the staff area permission."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)
    setattr(blueprint, SIGNED_IN_ONLY_ATTR, True)

    @blueprint.before_request
    def require_staff():
        deny_unless(Permission.STAFF_AREA)

    return blueprint
