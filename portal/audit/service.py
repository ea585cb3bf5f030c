"""Record and read the audit log. Never commits; there is no update or delete here, on purpose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEntry
from portal.clock import day_end, day_start, utcnow
from portal.registry import AuditAction, registry
from portal.web.inputs import bounded_day, bounded_int
from portal.web.logs import scrub

# Actions every area shares; an area adds its own with registry(app).add(AuditAction(...)).
SHARED_ACTIONS = (
    AuditAction("*", "export", _l("Downloaded a list")),
    AuditAction("*", "view", _l("Opened")),
    AuditAction("audit", "export", _l("Downloaded the audit log")),
)


def register_actions(app: Flask) -> None:
    registry(app).add(*SHARED_ACTIONS)


def record(session: Session, actor, area: str, action: str, target: str = "",
           detail: str = "") -> AuditEntry:
    """Add one line to the log. ``actor`` is a user or None (the system).

    A title or note may quote what someone typed: phone and ID numbers are masked before
    anything is cut to length, so no part of one is kept."""
    entry = AuditEntry(actor_id=getattr(actor, "id", None), area=area, action=action,
                       target=scrub(str(target or ""))[:40], detail=scrub(str(detail or ""))[:300],
                       at=utcnow())
    session.add(entry)
    return entry


def action_label(area: str, action: str):
    """The action in words, in the reader's language; the key itself when nobody named it."""
    actions = registry().audit_actions
    found = actions.get((area, action)) or actions.get(("*", action))
    return found.label if found else action


def entries_statement(*, area: str | None = None, target: str | None = None) -> Select:
    """Newest first, optionally one area's or one object's entries."""
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if area:
        statement = statement.where(AuditEntry.area == area)
    if target:
        statement = statement.where(AuditEntry.target == target)
    return statement


AREA_LABELS = {
    "requests": _l("Requests"), "aid": _l("Aid"), "activities": _l("Activities"),
    "minutes": _l("Minutes"), "notices": _l("Notices and alerts"), "surveys": _l("Surveys"),
    "accounts": _l("Staff accounts"), "settings": _l("Settings"), "figures": _l("Figures"),
    "board": _l("Notice board"), "api": _l("Open311 API"), "audit": _l("Audit log"),
    "care": _l("Care register"),
    "checkins": _l("Safety check-ins"),
}


def area_label(area: str):
    return AREA_LABELS.get(area, area)


@dataclass(frozen=True)
class AuditFilters:
    actor: int | None = None
    area: str = ""
    action: str = ""
    first_day: date | None = None
    last_day: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        action = (args.get("action") or "").strip()
        return cls(actor=bounded_int(args.get("actor")) or None,
                   area=(args.get("area") or "").strip()[:20],
                   action=action if action in {key for _area, key in
                                               registry().audit_actions} else "",
                   first_day=bounded_day(args.get("from")),
                   last_day=bounded_day(args.get("to")))

    def as_args(self) -> dict:
        values = {"actor": self.actor, "area": self.area, "action": self.action,
                  "from": self.first_day.isoformat() if self.first_day else "",
                  "to": self.last_day.isoformat() if self.last_day else ""}
        return {key: value for key, value in values.items() if value}


def filtered_statement(filters: AuditFilters) -> Select:
    """Newest first, through ix_audit_entry_at (or the actor or area index when filtered)."""
    statement = entries_statement(area=filters.area or None)
    if filters.actor:
        statement = statement.where(AuditEntry.actor_id == filters.actor)
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.first_day:
        statement = statement.where(AuditEntry.at >= day_start(filters.first_day))
    if filters.last_day:
        statement = statement.where(AuditEntry.at < day_end(filters.last_day))
    return statement


def page(session: Session, filters: AuditFilters, before: int | None,
         per_page: int = 50) -> tuple[list[AuditEntry], int | None]:
    """One page of entries older than the entry ``before`` (keyset: no OFFSET, no COUNT),
    and the cursor of the next page or None. Two statements at most."""
    statement = filtered_statement(filters)
    if before:
        cursor = session.get(AuditEntry, before)
        if cursor is not None:
            statement = statement.where(or_(
                AuditEntry.at < cursor.at,
                and_(AuditEntry.at == cursor.at, AuditEntry.id < cursor.id)))
    entries = list(session.scalars(statement.limit(per_page + 1)))
    more = len(entries) > per_page
    entries = entries[:per_page]
    return entries, (entries[-1].id if more and entries else None)


def action_choices() -> list[tuple[str, str]]:
    """Every named action once, for the filter: (key, words)."""
    seen = {}
    for (_area, key), action in sorted(registry().audit_actions.items()):
        seen.setdefault(key, action.label)
    return sorted(seen.items(), key=lambda item: str(item[1]))


EXPORT_HEADERS = (
    lazy_pgettext("audit export column", "When"),
    lazy_pgettext("audit export column", "Who"),
    lazy_pgettext("audit export column", "Area"),
    lazy_pgettext("audit export column", "What"),
    lazy_pgettext("audit export column", "Object"),
    lazy_pgettext("audit export column", "Detail"),
)


def export_rows(session: Session, statement: Select):
    for entry in session.scalars(statement.execution_options(yield_per=1000)):
        yield [entry.at, entry.actor.name if entry.actor else _l("The system"),
               area_label(entry.area), action_label(entry.area, entry.action), entry.target,
               entry.detail]
