"""What people type, made plain: the one place that normalises numbers before they are checked.

A Chinese input method types full-width digits and letters (１３５, ＡＢ, ｘ) and Chinese
punctuation (。，－：), and people add spaces and dashes to a number to read it back. Every
phone number, ID number, amount and building/unit/room goes through one of these before a
validator sees it, so a form never says "digits only" about what were digits. Free text
(names, descriptions) is left as typed.
"""

from __future__ import annotations

import re
import unicodedata

# What NFKC leaves alone but people use as the ASCII sign in a number: the ideographic full
# stop and comma, the many dashes, and the middle dots.
_PUNCTUATION = str.maketrans({
    "。": ".", "｡": ".", "、": ",", "，": ",",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "﹣": "-", "－": "-",
    "・": "·", "･": "·", "•": "·",
})
_SEPARATORS = re.compile(r"[\s\-.·,()_/:]")
_ADDRESS_SUFFIX = {
    "building": re.compile(r"(?:号楼|号|栋|幢|座)$"),
    "unit": re.compile(r"(?:单元|门)$"),
    "room": re.compile(r"(?:室|号|房)$"),
}
_ADDRESS_TOKEN = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?")


def half_width(value):
    """Full-width characters and Chinese punctuation as their plain forms (NFKC and more)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).translate(_PUNCTUATION)


def digits_only(value):
    """A phone or ID number as its characters alone: no spaces, dashes, dots or brackets."""
    if not isinstance(value, str):
        return value
    return _SEPARATORS.sub("", half_width(value))


def phone_number(value):
    """A phone number without separators or the country code (+86, 0086, 86 before 11 digits)."""
    if not isinstance(value, str):
        return value
    phone = digits_only(value)
    if phone.startswith("+86"):
        return phone[3:]
    if phone.startswith("0086"):
        return phone[4:]
    if len(phone) == 13 and phone.startswith("861"):
        return phone[2:]
    return phone


def id_number(value):
    """An ID number's 18 characters, the check character X in capitals (ｘ and x too)."""
    if not isinstance(value, str):
        return value
    return digits_only(value).upper()


def amount(value):
    """An amount of yuan as a plain decimal: '１，２３４。５ 元' -> '1234.5'."""
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\s,¥￥]", "", half_width(value))
    return re.sub(r"(?:元整|元)$", "", text)


def address_number(value, kind: str):
    """The number of a building, unit or room without its word: '3号楼' -> '3', '301室' -> '301';
    None when the value is more than a number ('东区3号楼', '北楼')."""
    bare = _ADDRESS_SUFFIX[kind].sub("", value or "")
    return bare.upper() if _ADDRESS_TOKEN.fullmatch(bare) else None


# How the community writes an address, and so how it is stored: 3号楼 2单元 502.
_STORED = {"building": "{}号楼", "unit": "{}单元", "room": "{}"}


def address_part(value, kind: str = "building"):
    """A building, unit or room as the community writes it, however it was typed:
    '３', '3栋', '3号楼' -> '3号楼'; '２' -> '2单元'; '３０１室' -> '301'.

    What is more than a number ('东区3号楼', '北楼') is kept as typed (made half-width).
    """
    if not isinstance(value, str):
        return value
    text = re.sub(r"\s+", "", half_width(value))
    number = address_number(text, kind)
    return _STORED[kind].format(number) if number else text


def building(value):
    return address_part(value, "building")


def unit(value):
    return address_part(value, "unit")


def room(value):
    return address_part(value, "room")
