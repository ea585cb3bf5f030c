"""Deadlines in the office's working hours: one moment, stored once, read by every page, the
queue, the overdue flag and the figures; shown as 12月4日（周五）17:00 前."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.aid.models import AidHoliday
from portal.clock import SHANGHAI, FixedClock
from portal.service_requests import service as s
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service import rates
from portal.web.i18n import format_deadline
from portal.workdays import OfficeHours

NINE_TO_FIVE = OfficeHours.parse("09:00-17:00")


def here(*parts) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("due", "kept"), [
    (here(2026, 12, 4, 2, 37), here(2026, 12, 4, 17, 0)),     # Friday night: that Friday's close
    (here(2026, 12, 4, 11, 15), here(2026, 12, 4, 11, 15)),   # in office hours: as it is
    (here(2026, 12, 4, 17, 0), here(2026, 12, 4, 17, 0)),     # at the close itself
    (here(2026, 12, 4, 17, 1), here(2026, 12, 7, 17, 0)),     # after the close: Monday's
    (here(2026, 12, 5, 10, 0), here(2026, 12, 7, 17, 0)),     # Saturday: Monday's
    (here(2026, 9, 30, 20, 0), here(2026, 10, 8, 17, 0)),     # before National Day: after it
    (here(2026, 10, 10, 10, 0), here(2026, 10, 10, 10, 0)),   # a make-up Saturday is a workday
])
def test_a_deadline_moves_into_office_hours(due, kept):
    assert NINE_TO_FIVE.within_deadline(due) == kept


def test_the_office_holiday_table_counts_where_the_national_calendar_has_no_data():
    monday = date(2027, 1, 4)
    assert NINE_TO_FIVE.within_deadline(here(2027, 1, 1, 20, 0), {monday: False}) == \
        here(2027, 1, 5, 17, 0)


@pytest.mark.parametrize("text", ["9-5", "17:00-09:00", "09:00", "nine to five"])
def test_a_mistyped_setting_is_refused(text):
    with pytest.raises(ValueError):
        OfficeHours.parse(text)


def test_the_setting_takes_other_hours():
    assert OfficeHours.parse(" 8:30 – 18:00 ") == OfficeHours(
        datetime(2026, 1, 1, 8, 30).time(), datetime(2026, 1, 1, 18).time())
    assert OfficeHours.parse("") is None


@pytest.fixture
def office(app):
    app.config["OFFICE_HOURS"] = "09:00-17:00"
    return app


def test_a_request_filed_friday_night_is_due_monday_at_the_close(office, app_context, db,
                                                                   resident, file_request):
    item = file_request(resident, now=here(2026, 12, 4, 23, 0))  # P3: 24 h, 168 h
    assert item.respond_by == here(2026, 12, 7, 17, 0)
    assert item.resolve_by == here(2026, 12, 14, 17, 0)
    assert s.Sla.from_config().deadlines(here(2026, 12, 4, 23, 0), 3) == (
        item.respond_by, item.resolve_by)


def test_a_holiday_staff_entered_moves_the_deadline(office, app_context, db, resident,
                                                    file_request):
    db.add(AidHoliday(day=date(2027, 1, 4), is_workday=False, note="test"))
    db.commit()
    item = file_request(resident, urgent=True, now=here(2027, 1, 1, 20, 0))  # P2: 8 h
    assert item.respond_by == here(2027, 1, 5, 17, 0)


def test_reprioritising_keeps_the_rule(office, app_context, db, resident, make_user,
                                       file_request, categories):
    from portal.accounts.roles import Role
    item = file_request(resident, now=here(2026, 12, 4, 15, 0))
    director = make_user(Role.DIRECTOR)
    s.change_category_priority(db, item, director, categories["repair"], 2)
    assert item.respond_by == here(2026, 12, 7, 17, 0)  # 8 h, Friday 23:00: Monday's close
    assert item.resolve_by == here(2026, 12, 7, 15, 0)  # 72 h, Monday 15:00: in office hours
    # P1 (urgent, many households): the duty worker answers at any hour, on the real clock.
    s.change_category_priority(db, item, director, categories["repair"], 1)
    assert item.respond_by == here(2026, 12, 4, 17, 0)  # 2 h
    assert item.resolve_by == here(2026, 12, 5, 15, 0)  # 24 h: Saturday, not Monday


def test_overdue_the_queue_and_the_figures_read_the_same_moment(office, app, db, resident,
                                                               file_request):
    item = file_request(resident, now=here(2026, 12, 4, 23, 0))
    for moment, late in ((here(2026, 12, 7, 16, 59), False), (here(2026, 12, 7, 17, 1), True)):
        assert s.is_overdue(item, moment) is late
        found = db.scalars(select(ServiceRequest.ref).where(s.overdue_clause(moment))).all()
        assert (item.ref in found) is late
        unanswered_late = db.scalar(select(ServiceRequest.ref).where(
            rates.response_counted(moment), ~rates.responded_on_time(moment)))
        assert (unanswered_late == item.ref) is late


def test_the_one_format(office, app):
    with app.test_request_context():
        now = here(2026, 12, 1, 10, 0)
        assert format_deadline(here(2026, 12, 4, 17, 0), now) == "12月4日（周五）17:00 前"
        assert format_deadline(here(2027, 1, 4, 17, 0), now) == "2027年1月4日（周一）17:00 前"
        assert format_deadline(date(2026, 12, 7), now) == "12月7日（周一）17:00 前"
        with force_locale("en"):
            assert format_deadline(here(2026, 12, 4, 17, 0), now) == "by 17:00, Fri 4 Dec"


def test_the_resident_and_staff_pages_say_it(office, app, db, resident, resident_client,
                                             staff_client, file_request):
    app.extensions["clock"] = FixedClock(here(2026, 12, 4, 23, 30))
    item = file_request(resident, now=here(2026, 12, 4, 23, 0))
    page = resident_client.get(f"/requests/{item.ref}").get_data(as_text=True)
    assert "12月7日（周一）17:00 前" in page
    staff = staff_client().get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert "12月7日（周一）17:00 前" in staff and "12月14日（周一）17:00 前" in staff
    footer = resident_client.get("/").get_data(as_text=True)
    assert "工作日 9:00–17:00" in footer


def test_the_accepted_message_names_the_deadline(office, app, db, resident, make_user,
                                                 file_request):
    from portal.accounts.roles import Role
    from portal.notifications.models import Notification
    app.extensions["clock"] = FixedClock(here(2026, 12, 5, 9, 0))
    item = file_request(resident, now=here(2026, 12, 4, 23, 0))
    with app.test_request_context():
        s.transition(db, item, s.ACCEPTED, make_user(Role.GRID_WORKER),
                     now=here(2026, 12, 5, 9, 0))
        db.commit()
        notice = db.scalars(select(Notification).where(
            Notification.user_id == resident.id)).one()
        from portal.notifications.service import render_text
        assert "12月14日（周一）17:00 前办结" in render_text(notice.message, notice.params)
