"""Issue 17 in the activities area: the sign-up export says the address in words, the demo
starts at sensible local times, and the reminder says the time in the one format."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.activities import service
from portal.activities.models import Activity
from portal.clock import utcnow


def test_the_sign_up_export_says_the_address_in_words(staff_client, db, make_user,
                                                      make_activity):
    activity = make_activity()
    person = make_user(name="王阿姨", building="3", unit="2", room="301")
    service.sign_up(db, activity.id, person.id, 0, utcnow())
    db.commit()
    body = staff_client(Role.CULTURE).get(f"/staff/activities/{activity.id}/signups.csv")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][4] == "3号楼2单元301室"  # never "3 2 301"


def test_demo_activities_start_at_sensible_local_times(app, db):
    from portal.accounts import demo as accounts_demo
    from portal.activities import demo
    from portal.clock import local

    with app.app_context():
        accounts_demo.load(db, echo=lambda *_: None)
        demo.load(db, echo=lambda *_: None, scale=6)
        db.commit()
    starts = [local(moment) for moment in db.scalars(select(Activity.starts_at))]
    assert len({moment.time() for moment in starts}) > 2  # not every one at the same hour
    for moment in starts:
        assert 7 <= moment.hour <= 19 and moment.minute in (0, 30), moment


def test_the_reminder_says_the_time_in_the_one_format(app, db, make_user, make_activity):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from portal.activities.jobs import remind_signed_up
    from portal.notifications.models import Notification
    from portal.notifications.service import render_text

    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    starts = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 09:30 the next morning in Shanghai
    activity = make_activity(starts_at=starts, ends_at=starts + timedelta(hours=2),
                             signup_opens_at=now - timedelta(days=3),
                             signup_closes_at=starts - timedelta(hours=1))
    person = make_user()
    service.sign_up(db, activity.id, person.id, 0, now - timedelta(days=1))
    db.commit()
    with app.test_request_context():
        remind_signed_up(db, now - timedelta(hours=1), now)
        db.commit()
        note = db.scalar(select(Notification).where(Notification.user_id == person.id))
        with force_locale("zh_Hans_CN"):
            assert "2026年12月4日 09:30" in render_text(note.message, note.params)
        with force_locale("en"):
            assert "4 Dec 2026, 09:30" in render_text(note.message, note.params)
