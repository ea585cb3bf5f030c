"""Record and read the audit log. Never commits; there is no update or delete here, on purpose."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEntry
from portal.clock import utcnow
from portal.registry import AuditAction, registry

# Actions every area shares; an area adds its own with registry(app).add(AuditAction(...)).
SHARED_ACTIONS = (
    AuditAction("*", "export", _l("Downloaded a list")),
    AuditAction("*", "view", _l("Opened")),
)


def register_actions(app: Flask) -> None:
    registry(app).add(*SHARED_ACTIONS)


def record(session: Session, actor, area: str, action: str, target: str = "",
           detail: str = "") -> AuditEntry:
    """Add one line to the log. ``actor`` is a user or None (the system)."""
    entry = AuditEntry(actor_id=getattr(actor, "id", None), area=area, action=action,
                       target=str(target)[:40], detail=(detail or "")[:300], at=utcnow())
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
