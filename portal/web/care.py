"""Care mode (长辈版, 关怀模式), after MIIT's 互联网网站适老化通用设计规范: larger text, larger
tap targets and the simpler resident home, for every page at once.

It is one class on <html>; the stylesheet scales everything from its custom properties.
A signed-in account remembers it (``User.care_mode``), a browser before sign-in keeps it in
a cookie, and signing in on that browser turns it on for the account.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

CARE_COOKIE = "care"
ON = "1"
OFF = "0"


def care_mode() -> bool:
    if current_user and current_user.is_authenticated:
        return bool(current_user.care_mode)
    return request.cookies.get(CARE_COOKIE) == ON


def remember(response: Response, on: bool) -> None:
    """For this browser, signed in or not: after signing out it stays as it was."""
    response.set_cookie(CARE_COOKIE, ON if on else OFF, max_age=365 * 24 * 3600,
                        samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def carry_over(user) -> None:
    """At sign-in: a browser in care mode keeps it for the account (the caller commits)."""
    if request.cookies.get(CARE_COOKIE) == ON and not user.care_mode:
        user.care_mode = True


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(care_mode=care_mode)
