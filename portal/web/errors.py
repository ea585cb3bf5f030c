"""Localized error pages rendered in the layout, and a CSRF failure that keeps the form."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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
