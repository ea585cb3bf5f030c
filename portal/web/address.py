"""An address as people say it: 3号楼2单元301室, or "Building 3, Unit 2, Room 301".

The one way to show a building, unit and room, in pages (the ``address`` filter and global),
exports and messages (``address()``). A part that is only a number, with or without its word
(3, 3号楼), is said with the word of the reader's language; anything else (东区, 北楼) is shown
as it was typed, so nothing is doubled.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask
from flask_babel import gettext as _
from flask_babel import pgettext

from portal.web.catalogue import catalogue
from portal.web.typed import address_number


def _part(value, kind: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    number = address_number(value, kind)
    if number is None:
        return value
    if kind == "building":
        return _("Building %(number)s", number=number)
    if kind == "unit":
        return _("Unit %(number)s", number=number)
    return _("Room %(number)s", number=number)


def address(building=None, unit=None, room=None, place=None) -> str:
    """The parts that are there, joined as the language joins them; "" when none is.
    ``place`` is free text said last as typed (a request's "where exactly").

    Said once per language and parts: a queue page says fifty addresses, most of them the
    same few buildings, and each took four translations."""
    try:
        return _said(catalogue(), building, unit, room, place)
    except TypeError:  # a part that is not hashable (never from our callers): say it afresh
        return _say(building, unit, room, place)


@lru_cache(maxsize=4096)
def _said(_catalogue, building, unit, room, place) -> str:
    return _say(building, unit, room, place)


def _say(building, unit, room, place) -> str:
    parts = [text for text in (_part(building, "building"), _part(unit, "unit"),
                               _part(room, "room"), (place or "").strip()) if text]
    if not parts:
        return ""
    said = parts[0]
    for part in parts[1:]:
        said = pgettext("joining the parts of an address", "%(first)s, %(next)s",
                        first=said, next=part)
    return said


def address_of(thing) -> str:
    """The address of anything with ``building`` (and maybe ``unit``, ``room`` or a
    ``location``): a user, a request; a plain string is a building."""
    if thing is None:
        return ""
    if isinstance(thing, str):
        return address(thing)
    return address(getattr(thing, "building", None), getattr(thing, "unit", None),
                   getattr(thing, "room", None), getattr(thing, "location", None))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["address"] = address_of
    app.jinja_env.globals["address"] = address
