"""Activities: drafting, publishing, editing, cancelling, attendance, check-in and the sign-up
download are recorded."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.activities import service
from portal.activities.models import Activity
from portal.clock import utcnow
from tests.activities.test_pages import FORM
from tests.audit.conftest import line, lines
from tests.conftest import csrf_token


def test_an_activity_is_recorded_from_draft_to_cancelled(staff_client, db):
    staff = staff_client(Role.CULTURE)
    token = csrf_token(staff, "/staff/activities/new")
    for _twice in range(2):
        assert staff.post("/staff/activities/new", data={
            **FORM, "csrf_token": token, "form_key": "k" * 22, "status": "draft"},
            content_type="multipart/form-data").status_code == 303
    activity = db.scalar(select(Activity))
    target = f"#{activity.id} {activity.title}"
    assert len(lines(db, "activities", "activity_drafted")) == 1
    line(db, "activities", "activity_drafted", staff.user, target)

    edit = f"/staff/activities/{activity.id}/edit"
    for status, action in (("published", "activity_published"), ("published", "activity_edited"),
                           ("cancelled", "activity_cancelled")):
        assert staff.post(edit, data={**FORM, "csrf_token": token, "status": status},
                          content_type="multipart/form-data").status_code == 303
        line(db, "activities", action, staff.user, target)
    assert [entry.action for entry in lines(db, "activities")] == [
        "activity_drafted", "activity_published", "activity_edited", "activity_cancelled"]


def test_attendance_check_in_and_the_download_are_recorded(staff_client, db, make_user,
                                                           make_activity):
    activity = make_activity()
    people = [make_user(), make_user()]
    signups = [service.sign_up(db, activity.id, person.id, 0, utcnow())[0] for person in people]
    db.commit()
    staff = staff_client(Role.CULTURE)
    target = f"#{activity.id} {activity.title}"
    base = f"/staff/activities/{activity.id}"
    token = csrf_token(staff, f"{base}/attendance")

    assert staff.get(f"{base}/signups.xlsx").status_code == 200
    assert line(db, "activities", "export", staff.user, target).detail == "xlsx"
    assert staff.post(f"{base}/checkin", data={
        "csrf_token": token, "code": signups[0].checkin_code}).status_code == 303
    assert line(db, "activities", "checked_in", staff.user,
                target).detail == f"sign-up #{signups[0].id}"
    assert staff.post(f"{base}/attendance/{signups[1].id}",
                      data={"csrf_token": token, "attended": "1"}).status_code == 303
    line(db, "activities", "attendance_marked", staff.user, target)
    assert staff.post(f"{base}/attendance/{signups[1].id}",
                      data={"csrf_token": token, "attended": "0"}).status_code == 303
    assert line(db, "activities", "attendance_unmarked", staff.user,
                target).detail == f"sign-up #{signups[1].id}"
    for entry in lines(db, "activities"):
        assert people[0].phone not in entry.detail + entry.target
