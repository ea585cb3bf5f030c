"""Paginate a select() with one COUNT and one page query, whatever the table size."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.web.inputs import int_arg


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
