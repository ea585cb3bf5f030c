"""The public notices (公示) of aid: what the board and /aid/notices show, masked."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from sqlalchemy import and_, func, select

from portal.aid import idnumber
from portal.aid.models import AidApplication, AidType


def current_notices_statement(today: date):
    return (select(AidApplication.name, AidApplication.household_size,
                   AidApplication.proposed_fen, AidApplication.notice_starts_on,
                   AidApplication.notice_ends_on, AidType.name_zh, AidType.name_en)
            .join(AidType)
            .where(AidApplication.stage == "notice", AidApplication.notice_starts_on <= today,
                   AidApplication.notice_ends_on >= today)
            .order_by(AidApplication.notice_starts_on.desc(), AidApplication.id.desc()))


def public_notice_rows(rows) -> list[dict]:
    """Only the masked name, the household size and the proposed amount leave this function."""
    locale = str(get_locale() or "zh")
    return [{"name": idnumber.mask_name(row.name), "size": row.household_size,
             "amount_fen": row.proposed_fen, "ends_on": row.notice_ends_on,
             "type": row.name_en if locale.startswith("en") else row.name_zh} for row in rows]


def notices_fingerprint(today: date) -> list:
    """Changes whenever a notice starts, ends or changes: count, id sum and amounts."""
    current = and_(AidApplication.stage == "notice", AidApplication.notice_starts_on <= today,
                   AidApplication.notice_ends_on >= today)
    return [
        select(func.count()).select_from(AidApplication).where(current).scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.id), 0)).where(current).scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.proposed_fen), 0)).where(current)
        .scalar_subquery(),
        select(func.coalesce(func.sum(AidApplication.household_size), 0)).where(current)
        .scalar_subquery(),
    ]
