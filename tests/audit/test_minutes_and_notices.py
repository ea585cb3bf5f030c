"""Minutes, notices and warnings: drafting, editing, publishing and withdrawing are recorded,
through the real staff pages."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.minutes.models import MeetingAttachment, Resolution
from portal.notices.models import Alert
from tests.audit.conftest import line, lines
from tests.conftest import csrf_token
from tests.minutes.helpers import (
    MEETING,
    add_resolution,
    add_update,
    create_meeting,
    pdf_upload,
    publish,
)
from tests.notices.test_notices import notice_id, post_notice, raise_alert


def test_minutes_are_recorded_from_draft_to_progress(staff_client, db):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    meeting_id = create_meeting(staff, form_key="m-1")
    target = f"#{meeting_id} {MEETING['title']}"
    line(db, "minutes", "minutes_created", staff.user, target)

    page = f"/staff/minutes/{meeting_id}"
    token = csrf_token(staff, page)
    assert staff.post(f"{page}/attachments", data={
        "attachment-csrf_token": token, "attachment-files": [pdf_upload("签到表.pdf")]},
        content_type="multipart/form-data").status_code == 303
    assert line(db, "minutes", "attachment_added", staff.user, target).detail == "签到表.pdf"
    attachment = db.scalar(select(MeetingAttachment.id))
    assert staff.post(f"{page}/attachments/{attachment}/remove",
                      data={"csrf_token": token}).status_code == 303
    line(db, "minutes", "attachment_removed", staff.user, target)

    add_resolution(staff, meeting_id, "先试一下", key="r-0")
    first = db.scalar(select(Resolution.id))
    assert line(db, "minutes", "resolution_added", staff.user, target).detail == "先试一下"
    assert staff.post(f"{page}/resolutions/{first}/remove",
                      data={"csrf_token": token}).status_code == 303
    line(db, "minutes", "resolution_removed", staff.user, target)
    add_resolution(staff, meeting_id, "重新划停车线", key="r-1")

    publish(staff, meeting_id)
    line(db, "minutes", "minutes_published", staff.user, target)
    assert staff.post(page, data={**MEETING, "minutes": "改过的纪要。", "version": "1",
                                  "csrf_token": token}).status_code == 303
    assert line(db, "minutes", "minutes_edited", staff.user, target).detail == "v2"
    resolution = db.scalar(select(Resolution.id).where(Resolution.text == "重新划停车线"))
    assert add_update(staff, meeting_id, resolution, 40).status_code == 303
    assert "40%" in line(db, "minutes", "resolution_progress", staff.user, target).detail


def test_an_unchanged_save_and_a_second_publish_record_nothing(staff_client, db):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    meeting_id = create_meeting(staff, form_key="m-2")
    publish(staff, meeting_id)
    publish(staff, meeting_id)
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    staff.post(f"/staff/minutes/{meeting_id}", data={**MEETING, "version": "1",
                                                     "csrf_token": token})
    assert [entry.action for entry in lines(db, "minutes")] == [
        "minutes_created", "minutes_published"]


def test_notices_and_warnings_are_recorded(staff_client, db):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    nid = notice_id(post_notice(staff, title="停水通知", key="n-1"))
    line(db, "notices", "notice_published", staff.user, f"#{nid} 停水通知")
    notice_id(post_notice(staff, title="停水通知（改期）", key="n-1",
                          path=f"/staff/notices/{nid}"))
    line(db, "notices", "notice_edited", staff.user, f"#{nid} 停水通知（改期）")
    takedown = "2099-06-01T18:00"
    for _ in range(2):
        notice_id(post_notice(staff, title="停水通知（改期）", key="n-1", expires_at=takedown,
                              path=f"/staff/notices/{nid}"))
    assert len(lines(db, "notices", "notice_edited")) == 2, "saved unchanged: nothing to record"
    token = csrf_token(staff, "/staff/notices")
    staff.post(f"/staff/notices/{nid}/withdraw", data={"csrf_token": token})
    staff.post(f"/staff/notices/{nid}/withdraw", data={"csrf_token": token})
    assert len(lines(db, "notices", "notice_withdrawn")) == 1
    line(db, "notices", "notice_withdrawn", staff.user, f"#{nid} 停水通知（改期）")

    assert raise_alert(staff, text="今晚暴雨").status_code == 303
    alert = db.scalar(select(Alert))
    assert line(db, "notices", "alert_raised", staff.user,
                f"#{alert.id} 今晚暴雨").detail == "red"
    staff.post(f"/staff/notices/alerts/{alert.id}/withdraw", data={"csrf_token": token})
    line(db, "notices", "alert_withdrawn", staff.user, f"#{alert.id} 今晚暴雨")
