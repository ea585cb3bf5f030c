"""Localized error pages rendered in the layout, and a CSRF failure that keeps the form."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

FORM_VIEW_ATTR = "_rerenders_on_csrf_failure"


def form_view(view: Callable) -> Callable:
    """Mark a view whose form validates the CSRF token itself.

    When the token is missing or stale, the view runs again: its form fails validation
    (the token is part of it), so the person sees their values and a request to submit
    again instead of a dead end. Such a view must change nothing unless its form validates.
    """
    setattr(view, FORM_VIEW_ATTR, True)
    return view


def rerun_form_view(view: Callable, args: dict):
    """Run a form view outside the normal dispatch (after a CSRF failure, or to give back a
    kept form). Its blueprint's own checks (the back office's staff permission) run first,
    or the page would render for anyone, even someone not signed in."""
    try:
        for name in request.blueprints:
            for check in current_app.before_request_funcs.get(name, ()):
                answer = current_app.ensure_sync(check)()
                if answer is not None:
                    return answer
        return current_app.ensure_sync(view)(**args)
    except HTTPException as refusal:  # e.g. 403: the person may not use this form
        return current_app.handle_http_exception(refusal)


def error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def busy_page(message: str | None = None):
    """Too many writers at once (a lock not had in time): nothing changed, try again."""
    body, status = error_page(
        503, _("Too many people at once"),
        message or _("Many people are signing up right now, so we could not save that. "
                     "Nothing has changed. Please wait a few seconds and press the button "
                     "again."))
    return body, status, {"Retry-After": "3"}


def register_busy_handlers(blueprint: Blueprint, message: Callable[[], str] | None = None):
    """A blueprint whose writes may wait for a lock answers 503 with Retry-After when the
    database is busy; ``message()`` says it in the blueprint's own words."""
    from portal.db import DatabaseBusy, is_busy
    from portal.extensions import db

    def answer():
        return busy_page(message() if message else None)

    blueprint.register_error_handler(DatabaseBusy, lambda _error: answer())

    @blueprint.errorhandler(OperationalError)
    def operational(error):
        db.session.rollback()
        if is_busy(error):
            return answer()
        raise error


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        view = current_app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, FORM_VIEW_ATTR, False):
            return rerun_form_view(view, request.view_args or {})
        return error_page(
            400,
            _("This page had expired"),
            _("For your safety we did not save that. Go back, reload the page and try again."),
        )

    @app.errorhandler(403)
    def forbidden(_error):
        return error_page(403, _("You can't open this page"),
                          _("Your account doesn't have access to this page. If you think it "
                            "should, ask the community office."))

    @app.errorhandler(404)
    def not_found(_error):
        return error_page(404, _("Page not found"),
                          _("We couldn't find that page. Check the address, or start again "
                            "from the home page."))

    @app.errorhandler(429)
    def too_many(_error):
        return error_page(429, _("Too many tries"),
                          _("Please wait a few minutes and try again."))

    @app.errorhandler(500)
    def server_error(_error):
        return error_page(500, _("Something went wrong on our side"),
                          _("Your request was not completed. Please try again in a moment. "
                            "If it keeps happening, call the community office."))

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        if error.code is None or error.code < 400:
            return error
        return error_page(error.code, _("Something went wrong"),
                          _("Please go back and try again."))
