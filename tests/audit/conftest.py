"""Audit fixtures: every line the tests here write is checked to be named in words, in English
and in Chinese, and offered by the action filter of /staff/audit."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.service import action_choices, action_label
from tests.activities.conftest import make_activity  # noqa: F401 - fixtures
from tests.aid.conftest import build_application, types  # noqa: F401
from tests.service_requests.conftest import categories, file_request  # noqa: F401

CJK = re.compile(r"[\u4e00-\u9fff]")
WRITTEN: set[tuple[str, str]] = set()


def lines(db, area: str, action: str | None = None) -> list[AuditEntry]:
    db.expire_all()
    statement = select(AuditEntry).where(AuditEntry.area == area).order_by(AuditEntry.id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    return list(db.scalars(statement))


def line(db, area: str, action: str, actor=None, target: str | None = None) -> AuditEntry:
    """The one line of this action; its actor and target when given."""
    found = lines(db, area, action)
    assert found, f"no audit line {area}/{action}; have " + ", ".join(
        f"{e.area}/{e.action}" for e in lines(db, area))
    entry = found[-1]
    if actor is not None:
        assert entry.actor_id == actor.id, (area, action)
    if target is not None:
        assert entry.target == target, (area, action, entry.target)
    return entry


def named_in_words(app, area: str, action: str) -> None:
    with app.test_request_context():
        with force_locale("en"):
            english = str(action_label(area, action))
        with force_locale("zh_Hans_CN"):
            chinese = str(action_label(area, action))
            offered = {key: str(label) for key, label in action_choices()}
    assert english != action and english.strip(), (area, action)
    assert CJK.search(chinese) and chinese != english, (area, action, chinese)
    assert action in offered and CJK.search(offered[action]), (area, action)


@pytest.fixture(autouse=True)
def every_line_in_words(app, db):
    """After each test, before its tables are emptied: every line it wrote reads in words."""
    yield
    db.rollback()
    for area, action in db.execute(select(AuditEntry.area, AuditEntry.action).distinct()):
        named_in_words(app, area, action)
        WRITTEN.add((area, action))
