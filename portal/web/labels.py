"""Pieces of HTML made from translated labels, built once per language instead of per use.

A queue page shows a status tag on every row; rendering it through a macro with a lazy
label cost about 60 µs each time. The tags only change with the language, so they are built
once per catalogue and looked up after that.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import get_locale

from portal.web.catalogue import catalogue

_BUILT: dict[tuple[str, object], object] = {}
_LOCALE_CODES: dict[object, str] = {}


def per_language(name: str, build: Callable[[], object]):
    """``build()``'s result for this request's language, built on first use."""
    key = (name, catalogue())
    found = _BUILT.get(key)
    if found is None:
        found = _BUILT[key] = build()
    return found


def locale_code() -> str:
    """``str(get_locale())``, without formatting the identifier again on every call."""
    locale = get_locale()
    code = _LOCALE_CODES.get(locale)
    if code is None:
        code = _LOCALE_CODES[locale] = str(locale)
    return code
