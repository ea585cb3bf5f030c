"""The one place that decides whether a request gets a whole page or just a fragment."""

from __future__ import annotations

from flask import render_template, request


def wants_fragment() -> bool:
    """True for an htmx request that targets part of the page.

    A boosted link or form sends HX-Request too, but expects a whole page, and so does a
    history restore. htmx 4 also says which it wants in HX-Request-Type.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    return request.headers.get("HX-Request-Type", "partial") == "partial"


def render(page_template: str, fragment_template: str | None = None, status: int = 200,
           **context):
    """The whole page for a plain request, or only the fragment for an htmx partial request.

    The page template includes the same fragment, so both answers show the same markup.
    """
    partial = fragment_template and wants_fragment()
    template = fragment_template if partial else page_template
    return render_template(template, **context), status, {"Vary": "HX-Request"}


def render_form_errors(page_template: str, fragment_template: str | None = None, **context):
    """A form that failed validation: 422, the person's values kept, the summary focused."""
    return render(page_template, fragment_template, status=422, **context)
