"""Issue 17: one date format across the portal, 2026年12月3日 14:30 (no seconds), and
"3 小时前" for what happened within the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal.accounts.roles import Role
from portal.clock import FixedClock
from portal.notifications.service import notify
from portal.web.i18n import format_ago, format_moment
from tests.conftest import sign_in

AFTERNOON = datetime(2026, 12, 3, 6, 30, 45, tzinfo=UTC)  # 14:30:45 in Shanghai


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def test_the_one_format(in_request):
    with force_locale("zh_Hans_CN"):
        assert format_moment(AFTERNOON) == "2026年12月3日 14:30"
        assert format_moment(datetime(2027, 1, 9, 16, 5, tzinfo=UTC)) == "2027年1月10日 00:05"
    with force_locale("en"):
        assert format_moment(AFTERNOON) == "3 Dec 2026, 14:30"


@pytest.mark.parametrize("past, chinese, english", [
    (timedelta(seconds=20), "刚刚", "just now"),
    (timedelta(minutes=1), "1 分钟前", "1 minute ago"),
    (timedelta(minutes=45), "45 分钟前", "45 minutes ago"),
    (timedelta(hours=1, minutes=5), "1 小时前", "1 hour ago"),
    (timedelta(hours=3, minutes=59), "3 小时前", "3 hours ago"),
    (timedelta(hours=24), "2026年12月3日 14:30", "3 Dec 2026, 14:30"),
    (timedelta(hours=-2), "2026年12月3日 14:30", "3 Dec 2026, 14:30"),  # ahead: the time
])
def test_recent_events_say_how_long_ago(in_request, past, chinese, english):
    with force_locale("zh_Hans_CN"):
        assert format_ago(AFTERNOON, now=AFTERNOON + past) == chinese
    with force_locale("en"):
        assert format_ago(AFTERNOON, now=AFTERNOON + past) == english


def test_every_name_for_a_date_and_time_is_the_one_format(in_request):
    with force_locale("zh_Hans_CN"):
        for source in ("{{ moment|datetime }}", "{{ moment|datetime('short') }}",
                       "{{ moment|datetime('medium') }}", "{{ moment|datetime('long') }}"):
            shown = render_template_string(source, moment=AFTERNOON)
            assert shown == "2026年12月3日 14:30", source
        assert render_template_string("{{ moment|datetime('HH:mm') }}",
                                      moment=AFTERNOON) == "14:30"
        for source in ("{{ day|date }}", "{{ day|date('short') }}", "{{ day|date('long') }}"):
            assert render_template_string(source, day=AFTERNOON.date()) == "2026年12月3日"
        late = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # already the 4th in Shanghai
        assert render_template_string("{{ moment|date }}", moment=late) == "2026年12月4日"
        assert render_template_string("{{ day|date('full') }}",
                                      day=AFTERNOON.date()).startswith("2026年12月3日星期")
    with force_locale("en"):
        assert render_template_string("{{ day|date }}", day=AFTERNOON.date()) == "3 Dec 2026"


def test_the_inbox_says_how_long_ago(app, db, make_user):
    person = make_user(Role.RESIDENT, locale="zh_Hans_CN")
    app.extensions["clock"] = FixedClock(AFTERNOON)
    with app.app_context():
        notify(db, person.id, "Request %(ref)s is closed.", ref="R20261203-0001")
        db.commit()
    app.extensions["clock"] = FixedClock(AFTERNOON + timedelta(hours=3))
    client = app.test_client()
    sign_in(client, person)
    html = client.get("/notifications").get_data(as_text=True)
    assert '>3 小时前</time>' in html and 'title="2026年12月3日 14:30"' in html
    assert "14:30:45" not in html  # never the seconds (the machine-readable UTC aside)
