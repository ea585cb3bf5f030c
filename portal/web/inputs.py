"""The input layer: what reaches a view is already bounded and free of control characters.

- Every ``<int:...>`` in a URL is bounded to what both databases can hold (PostgreSQL's
  INTEGER is the smaller), so ``/activities/2147483648`` is a plain 404 and no area has to
  think about it.
- Text in a URL path with a control character matches no route (404).
- Every query and form value (and name) has NUL and the other control characters taken
  out before any view sees it, so PostgreSQL never receives a NUL and a form keeps what
  the person typed. Tabs and line breaks stay: they are ordinary text in a description.
- ``bounded_int`` / ``int_arg`` / ``int_form`` are the one way to read an integer from a
  query string or form; WTForms integer fields get the same bound (``web.forms.Form``).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

# The largest id or count either database can store in an INTEGER column.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)

# C0 controls except tab, LF and CR; DEL; C1 controls; lone surrogates (which no encoder
# accepts). Werkzeug has already turned invalid UTF-8 into U+FFFD.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In a URL path segment, no control character at all is acceptable, line breaks included.
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")


def clean_text(value: str) -> str:
    """The value without NUL and other control characters."""
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


def has_control_characters(value: str) -> bool:
    return _PATH_CONTROL.search(value) is not None


class CleanMultiDict(ImmutableMultiDict):
    """Query and form values as Werkzeug parses them, with control characters taken out.

    File uploads pass through untouched (their names are cleaned where they are stored).
    """

    def __init__(self, mapping=None):
        pairs = []
        if mapping is not None:
            for key, value in iter_multi_items(mapping):
                if isinstance(key, str):
                    key = clean_text(key)
                if isinstance(value, str):
                    value = clean_text(value)
                pairs.append((key, value))
        super().__init__(pairs)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>``: digits only, and never more than an INTEGER column holds."""

    def __init__(self, map, fixed_digits=0, min=0, max=INT_MAX, signed=False):  # noqa: A002
        # Werkzeug's own keyword names; a rule may narrow the bounds, never widen them.
        bounded_max = INT_MAX if max is None or max > INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded_max,
                         signed=signed)


class CleanUnicodeConverter(UnicodeConverter):
    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


class CleanPathConverter(PathConverter):
    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


def bounded_int(raw, *, minimum: int = 0, maximum: int = INT_MAX) -> int | None:
    """``raw`` as an int when it is a plain whole number within the bounds; otherwise None."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw).strip()
        if not _INTEGER.fullmatch(text):
            return None
        value = int(text)
    return value if minimum <= value <= maximum else None


def bounded_day(raw) -> date | None:
    """``raw`` as a day when it is an ISO date (2026-11-01) between the years 2000 and 2999,
    which every date column and the Shanghai day arithmetic hold; otherwise None."""
    try:
        day = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2999 else None


def int_arg(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = INT_MAX, source=None) -> int | None:
    """An integer from the query string (or ``source``): ``default`` when it is missing,
    not a number, or out of bounds. An impossible id is simply no id."""
    values = request.args if source is None else source
    value = bounded_int(values.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def int_form(name: str, default: int | None = None, *, minimum: int = 0,
             maximum: int = INT_MAX) -> int | None:
    """The same for a posted form value."""
    return int_arg(name, default, minimum=minimum, maximum=maximum, source=request.form)


def init_app(app: Flask) -> None:
    """Must run before any blueprint is registered: rules take their converters when added."""
    app.url_map.converters.update(int=BoundedIntConverter, default=CleanUnicodeConverter,
                                  string=CleanUnicodeConverter, path=CleanPathConverter)


def init_request_class(app: Flask) -> None:
    """Must run after the extensions: htmx-flask installs a request class of its own, and
    ours extends whichever class is in place."""
    base = app.request_class if issubclass(app.request_class, Request) else Request
    app.request_class = type("PortalRequest", (base,),
                             {"parameter_storage_class": CleanMultiDict,
                              "__doc__": "Query and form values free of control characters."})
