"""The live list of a check-in, its totals, and the board's figures. Never commits.

The list is in one stored order (``rank``: help first, then people in care not heard from,
then everyone else not heard from, the safe last), by building, then id; every filter (a grid,
a building) has an index that ends in that order, and the pages are keyset pages, so a page
costs the same few statements at 50 residents or 50,000. Totals count households (户): one
grouping over the check-in's own entries, never the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, joinedload

from portal.checkins.models import RANK_SAFE, Answer, Checkin, CheckinEntry
from portal.checkins.service import scope
from portal.web.pagination import KeysetPage, keyset_paginate

ORDER = (CheckinEntry.rank, CheckinEntry.building, CheckinEntry.id)
PER_PAGE = 50


@dataclass
class Totals:
    safe: int = 0
    help: int = 0
    pending: int = 0

    @property
    def households(self) -> int:
        return self.safe + self.help + self.pending


@dataclass
class Summary:
    overall: Totals = field(default_factory=Totals)
    buildings: dict[str, Totals] = field(default_factory=dict)


def _where(checkin_id: int, user, building: str | None, worker_id: int | None,
           include_safe: bool) -> list:
    conditions = [CheckinEntry.checkin_id == checkin_id, scope(user)]
    if building:
        conditions.append(CheckinEntry.building == building)
    if worker_id:
        conditions.append(CheckinEntry.grid_worker_id == worker_id)
    if not include_safe:
        conditions.append(CheckinEntry.rank < RANK_SAFE)
    return conditions


def entries_statement(checkin_id: int, user, *, building: str | None = None,
                      worker_id: int | None = None, include_safe: bool = False) -> Select:
    return (select(CheckinEntry)
            .where(*_where(checkin_id, user, building, worker_id, include_safe))
            .order_by(*ORDER))


def live_page(session: Session, checkin_id: int, user, args, *, building: str | None = None,
              worker_id: int | None = None, include_safe: bool = False) -> KeysetPage:
    statement = entries_statement(checkin_id, user, building=building, worker_id=worker_id,
                                  include_safe=include_safe)
    return keyset_paginate(session, statement, ORDER, args, per_page=PER_PAGE,
                           options=(joinedload(CheckinEntry.user),
                                    joinedload(CheckinEntry.care_person)))


def _households(conditions: list):
    """One row per household: its building, and whether anyone in it asked for help or said
    they are safe. A household is safe when someone in it said so and nobody asked for help."""
    return (select(CheckinEntry.building,
                   func.max(_flag(CheckinEntry.status == Answer.HELP.value)).label("help"),
                   func.max(_flag(CheckinEntry.status == Answer.SAFE.value)).label("safe"))
            .where(*conditions)
            .group_by(CheckinEntry.building, CheckinEntry.household).subquery())


def _flag(condition):
    return case((condition, 1), else_=0)


def summary(session: Session, checkin_id: int, user, *, worker_id: int | None = None,
            building: str | None = None) -> Summary:
    """Households safe, needing help and not heard from, in all and per building, in what
    this user may see: one statement."""
    conditions = [CheckinEntry.checkin_id == checkin_id, scope(user)]
    if worker_id:
        conditions.append(CheckinEntry.grid_worker_id == worker_id)
    if building:
        conditions.append(CheckinEntry.building == building)
    households = _households(conditions)
    rows = session.execute(
        select(households.c.building,
               func.sum(households.c.help),
               func.sum(_flag((households.c.help == 0) & (households.c.safe == 1))),
               func.count())
        .group_by(households.c.building).order_by(households.c.building))
    result = Summary()
    for building_name, helped, safe, count in rows:
        totals = Totals(safe=int(safe or 0), help=int(helped or 0))
        totals.pending = int(count) - totals.safe - totals.help
        result.buildings[building_name] = totals
        result.overall.safe += totals.safe
        result.overall.help += totals.help
        result.overall.pending += totals.pending
    return result


# ---- the board ------------------------------------------------------------------------------

def board_totals(session: Session, checkin_id: int, building: str | None) -> Totals:
    """Households only, never who: for the public board."""
    conditions = [CheckinEntry.checkin_id == checkin_id]
    if building:
        conditions.append(CheckinEntry.building == building)
    households = _households(conditions)
    helped, safe = session.execute(select(
        func.sum(households.c.help),
        func.sum(_flag((households.c.help == 0) & (households.c.safe == 1))),
    )).one()
    return Totals(safe=int(safe or 0), help=int(helped or 0))



def board_fingerprint(now: datetime, profile=None) -> list:
    """The open check-in, its last change, and its latest answer: index reads only."""
    open_id = (select(func.max(Checkin.id)).where(Checkin.closed_at.is_(None))
               .scalar_subquery())
    return [open_id,
            select(func.max(Checkin.updated_at)).scalar_subquery(),
            select(func.max(CheckinEntry.answered_at))
            .where(CheckinEntry.checkin_id == open_id).scalar_subquery()]
