from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.checkins import service
from portal.checkins.models import Checkin, CheckinEntry
from portal.clock import utcnow
from portal.notices.models import Alert
from tests.care.conftest import SYSTEM, add_person  # noqa: F401 - the care register's fixture


@pytest.fixture
def make_alert(db):
    counter = iter(range(1, 1000))

    def build(level="red", **values):
        fields = {"form_key": f"alert-{next(counter)}", "level": level, "kind": "flood",
                  "text": "暴雨红色预警，请勿外出。", "expires_at": utcnow() + timedelta(hours=6)}
        fields.update(values)
        alert = Alert(**fields)
        db.add(alert)
        db.commit()
        return alert

    return build


@pytest.fixture
def open_checkin(db, app, make_alert):
    """open_checkin(actor=None) -> a check-in opened for a new red warning."""

    def build(actor=SYSTEM, alert=None):
        alert = alert or make_alert()
        with app.test_request_context():
            checkin = service.open_checkin(db, alert, utcnow(), actor=actor,
                                           link=lambda c: f"/checkin/{c.id}")
            db.commit()
        return checkin

    return build


@pytest.fixture
def entries(db, app):
    """The check-in's entries, their people loaded (the notes are decrypted as they load)."""

    def load(checkin: Checkin) -> list[CheckinEntry]:
        db.expire_all()
        with app.app_context():
            return list(db.scalars(
                select(CheckinEntry).where(CheckinEntry.checkin_id == checkin.id)
                .options(selectinload(CheckinEntry.user), selectinload(CheckinEntry.care_person))
                .order_by(CheckinEntry.id)))

    return load
