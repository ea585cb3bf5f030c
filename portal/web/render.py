"""The one place that decides whether a request gets a whole page or just a fragment, and the
one way a refused action is shown."""

from __future__ import annotations

from flask import flash, render_template, request

from portal.errors import DomainError


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


def refused(error: DomainError, page_template: str, fragment_template: str | None = None, *,
            form=None, **context):
    """A service said no: the page (or fragment) again with the error shown, values kept.

    With a form, the message goes on ``error.field`` (or the form's summary when the field
    is not on it) and the template gets it as ``form``; without one, it is the error feedback
    (a flash) that pages show in the layout and fragments through ``_flashes.html``.
    """
    if form is not None:
        form.add_error(error.message, error.field)
        context["form"] = form
    else:
        flash(str(error.message), "error")
    return render(page_template, fragment_template, status=error.status, **context)
