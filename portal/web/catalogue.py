"""The request's message catalogue, found once per request instead of once per message.

Flask-Babel looks the catalogue up again for every message: three lookups through ``g``,
the locale selector's cached answer, and the locale formatted to a string for its cache
key. A queue page translates a hundred messages, so that was over a millisecond a page.
Here the catalogue is kept on ``g`` next to Flask-Babel's own per-request state, tied to
the locale object it was found for: ``force_locale`` (a notification in its recipient's
language) swaps that object, and the catalogue is looked up again.
"""

from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace

from flask import Flask, g
from flask_babel import Babel, Domain

_KEY = "_portal_catalogue"


def _globals() -> dict | None:
    """This app context's ``g`` as a plain dict, None outside one: one context-variable
    lookup, where ``g.x`` through the proxy is one per access."""
    try:
        return g._get_current_object().__dict__
    except RuntimeError:  # no app context
        return None


def _babel_state() -> SimpleNamespace | None:
    """Flask-Babel's per-request state (its ``_get_current_context``), found with one lookup
    instead of three proxy accesses; Flask-Babel asks for it on every message and on every
    ``get_locale()``: about 250 times for a queue page."""
    holder = _globals()
    if holder is None:
        return None
    found = holder.get("_flask_babel")
    if found is None:
        found = holder["_flask_babel"] = SimpleNamespace()
    return found


def _cached():
    holder = _globals()
    if holder is None:
        return None
    found = holder.get(_KEY)
    if found is None:
        return None
    locale = getattr(holder.get("_flask_babel"), "babel_locale", None)
    return found[1] if locale is not None and found[0] is locale else None


class RequestCachedDomain(Domain):
    def get_translations(self):
        found = _cached()
        if found is not None:
            return found
        found = super().get_translations()
        holder = _globals()
        if holder is not None:
            locale = getattr(holder.get("_flask_babel"), "babel_locale", None)
            if locale is not None:
                holder[_KEY] = (locale, found)
        return found


class PortalBabel(Babel):
    def init_app(self, app, *args, **kwargs):
        import flask_babel

        # The same state, found faster (tests/web/test_speed.py holds it to the original).
        if getattr(flask_babel, "_get_current_context", None) is not None:
            flask_babel._get_current_context = _babel_state
        return super().init_app(app, *args, **kwargs)

    @cached_property
    def domain_instance(self):
        return RequestCachedDomain(domain=self.domain)


def catalogue():
    """This request's translations (NullTranslations outside a request)."""
    found = _cached()
    if found is not None:
        return found
    from portal.extensions import babel

    return babel.domain_instance.get_translations()


def install_in_jinja(app: Flask) -> None:
    """The template side: ``{% trans %}``, ``_()`` and friends straight from the catalogue."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
