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

from flask import Flask, g, has_app_context
from flask_babel import Babel, Domain

_KEY = "_portal_catalogue"


def _cached():
    if not has_app_context():
        return None
    holder = g._get_current_object().__dict__
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
        if has_app_context():
            space = g.get("_flask_babel")
            locale = getattr(space, "babel_locale", None)
            if locale is not None:
                setattr(g, _KEY, (locale, found))
        return found


class PortalBabel(Babel):
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
