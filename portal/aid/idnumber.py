"""Resident ID numbers (GB 11643): clean-up, checksum, masking."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from portal import clock
from portal.errors import DomainError
from portal.web import typed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(DomainError):
    """Caught by the form validators, which show its message on the field."""


def normalise(value: str) -> str:
    """Full-width to half-width, drop spaces and dashes, upper-case the X."""
    return typed.id_number(value or "")


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate(value: str, today: date | None = None) -> str:
    """The cleaned 18-character number, or InvalidIdNumber saying exactly what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise InvalidIdNumber(_l("An ID number has 18 characters; you entered %(count)d.",
                                 count=len(number)))
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidIdNumber(_l("The first 17 characters must be digits, and the last a digit "
                                 "or the letter X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > (today or clock.today()):
        raise InvalidIdNumber(_l("Characters 7 to 14 should be a real date of birth "
                                 "(year, month, day). Please check them."))
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(_l("This number does not add up: the last character does not "
                                 "match the others. Please check each digit against the card."))
    return number


def mask(number: str | None) -> str:
    """110105********1234: the region and the last four only."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """张*, 欧阳** — the family name only, for public notices."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
