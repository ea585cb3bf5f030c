"""Money typed in yuan, stored in integer fen."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from portal.errors import DomainError
from portal.web import typed


class InvalidAmount(DomainError):
    """Caught by the form validators, which show its message on the field."""


def parse_yuan(value: str, maximum_fen: int = 10**11) -> int:
    """'1,234.5', '１２３', '¥80 元' -> fen. Raises InvalidAmount with a plain message."""
    text = typed.amount(value or "")
    if not text:
        raise InvalidAmount(_l("Enter an amount in yuan, for example 1200 or 850.50."))
    if not re.fullmatch(r"\d+(\.\d{0,2})?", text):
        if re.fullmatch(r"\d+\.\d{3,}", text):
            raise InvalidAmount(_l("Use at most two digits after the decimal point."))
        raise InvalidAmount(_l("Enter an amount in yuan using digits only, for example 1200 "
                               "or 850.50."))
    try:
        fen = int(Decimal(text) * 100)
    except InvalidOperation:
        raise InvalidAmount(_l("Enter an amount in yuan, for example 1200 or 850.50.")) from None
    if fen > maximum_fen:
        raise InvalidAmount(_l("That amount is too large. Please check it."))
    return fen


def format_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d}" if cents else f"{yuan:,}"
