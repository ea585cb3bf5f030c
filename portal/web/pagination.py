"""Paginate a select(): by page number with one COUNT and one page query (small lists), or
by key (keyset_paginate) for the lists that grow with the years: the staff queue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Select, func, select, tuple_
from sqlalchemy.orm import Session

from portal.web.inputs import INT_MAX, bounded_int, int_arg


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(arg: str = "page") -> int:
    return int_arg(arg, 1, minimum=1)


def paginate(session: Session, statement: Select, number: int, per_page: int = 25,
             scalars: bool = True) -> Page:
    total = session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ) or 0
    pages = max(1, ceil(total / per_page))
    number = min(max(1, number), pages)
    result = session.execute(statement.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, number=number, per_page=per_page, total=total)


def url_args_for_page(number: int) -> dict:
    """The current query string with another page number, for the pager links."""
    args = request.args.to_dict()
    args["page"] = number
    return args


# --- keyset pagination: the same cost on page 1 and page 40,000 -----------------------------

COUNT_LIMIT = 1000  # a list counts this far and then says "more than"
_CURSOR = re.compile(r"^-?\d{1,20}(\.-?\d{1,20}){0,4}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class KeysetPage:
    """A page read by its key, not by OFFSET. ``number`` is None when the page was reached
    with a Next/Previous link past the numbered pages; ``total`` counts up to COUNT_LIMIT
    (``more`` says there are more). ``previous``/``next`` are the pager links' arguments."""

    items: list[Any]
    per_page: int
    number: int | None
    total: int
    more: bool
    previous: dict | None
    next: dict | None
    problems: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def _encode(values) -> str:
    return ".".join(str(int((value - _EPOCH) / timedelta(microseconds=1)))
                    if isinstance(value, datetime) else str(int(value)) for value in values)


def _decode(cursor: str, order) -> tuple | None:
    if not cursor or not _CURSOR.match(cursor):
        return None
    parts = [int(part) for part in cursor.split(".")]
    if len(parts) != len(order):
        return None
    values = []
    for part, column in zip(parts, order, strict=True):
        if isinstance(column.type, DateTime) or isinstance(
                getattr(column.type, "impl", None), DateTime):
            try:
                values.append(_EPOCH + timedelta(microseconds=part))
            except OverflowError:
                return None
        elif abs(part) > INT_MAX:
            return None
        else:
            values.append(part)
    return tuple(values)


def keyset_paginate(session: Session, statement: Select, order: tuple, args,
                    per_page: int = 25, options: tuple = ()) -> KeysetPage:
    """Page ``statement`` (ordered ascending by ``order``, whose last column is unique) from
    the query string's ``page`` (numbered pages, a bounded OFFSET over the index) or
    ``after``/``before`` (a key from a pager link). Every part reads index entries only,
    and the rows of the page are loaded by their ids: one count, one page of keys, one load.

    What the address asked for that can't be shown (a page past the end, a broken link) is
    said in ``problems`` and the nearest page is shown. ``options`` are the loader options
    for the page's rows (a joinedload, say)."""
    problems = []
    key = tuple_(*order)
    keys = statement.with_only_columns(*order)
    total = session.scalar(select(func.count()).select_from(  # the ids alone: index only
        statement.with_only_columns(order[-1]).order_by(None).limit(COUNT_LIMIT + 1)
        .subquery())) or 0
    more, total = total > COUNT_LIMIT, min(total, COUNT_LIMIT)
    numbered = max(1, ceil(total / per_page))
    after, before = args.get("after", ""), args.get("before", "")
    cursor = _decode(after or before, order)
    if (after or before) and cursor is None:
        problems.append(_l("That link to a page of the list no longer works. This is the "
                           "first page."))
    number = None
    if cursor is not None and after:
        rows = list(session.execute(keys.where(key > cursor).limit(per_page + 1)))
        has_next, has_previous = len(rows) > per_page, True
        rows = rows[:per_page]
    elif cursor is not None:
        rows = list(session.execute(keys.where(key < cursor).order_by(None)
                                    .order_by(*[column.desc() for column in order])
                                    .limit(per_page + 1)))
        has_previous, has_next = len(rows) > per_page, True
        rows = list(reversed(rows[:per_page]))
    else:
        number = _page_number(args.get("page", ""), numbered, more, problems)
        rows = list(session.execute(keys.limit(per_page + 1).offset((number - 1) * per_page)))
        has_next, has_previous = len(rows) > per_page, number > 1
        rows = rows[:per_page]
    ids = [row[-1] for row in rows]
    entity = statement.column_descriptions[0]["entity"]
    by_id = {item.id: item for item in session.scalars(
        select(entity).options(*options).where(order[-1].in_(ids)))} if ids else {}
    items = [by_id[i] for i in ids if i in by_id]
    previous = next_ = None
    if rows and has_previous:
        previous = ({"page": number - 1} if number and number > 1
                    else {"before": _encode(rows[0])})
    if rows and has_next:
        next_ = ({"page": number + 1} if number and number < numbered
                 else {"after": _encode(rows[-1])})
    return KeysetPage(items=items, per_page=per_page, number=number, total=total, more=more,
                      previous=previous, next=next_, problems=problems)


def _page_number(raw: str, numbered: int, more: bool, problems: list) -> int:
    if not raw.strip():
        return 1
    number = bounded_int(raw, minimum=1)
    if number is None:
        problems.append(_l("“%(value)s” is not a page number. This is the first page.",
                           value=raw[:20]))
        return 1
    if number <= numbered:
        return number
    if more:
        problems.append(_l("Page numbers go up to %(pages)s. Use “Next” from there to go "
                           "further, or narrow the list with the filters.", pages=numbered))
    else:
        problems.append(_l("There is no page %(number)s: the list has %(pages)s page(s). "
                           "This is the last page.", number=number, pages=numbered))
    return numbered


def keyset_url_args(changes: dict) -> dict:
    """The current query string with another page or key, for the keyset pager's links; the
    address's own parts (a check-in's id) too, so the link names the same page."""
    args = {key: value for key, value in request.args.to_dict().items()
            if key not in ("page", "after", "before")}
    return {**args, **(request.view_args or {}), **changes}
