"""Surveys: every step of building, publishing, closing, copying, summing up and downloading
is recorded, through plain posts and htmx alike."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.surveys.models import Question, Survey
from tests.audit.conftest import line, lines
from tests.conftest import csrf_token

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def test_building_and_running_a_survey_is_recorded(db, staff_client):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    token = csrf_token(staff, "/staff/surveys")
    assert staff.post("/staff/surveys", data={"csrf_token": token, "title": "电梯维修"}
                      ).status_code == 303
    survey = db.scalar(select(Survey))
    base, target = f"/staff/surveys/{survey.id}", f"#{survey.id} 电梯维修"
    line(db, "surveys", "survey_created", staff.user, target)

    for text in ("修得快吗？", "满意吗？"):
        assert staff.post(f"{base}/questions", headers=HTMX, data={
            "new-csrf_token": token, "new-kind": "single", "new-text": text,
            "new-options": "是\n否", "new-required": "y"}).status_code == 200
    assert line(db, "surveys", "question_added", staff.user, target).detail == "满意吗？"
    first = db.scalar(select(Question).where(Question.text == "修得快吗？"))
    assert staff.post(f"{base}/questions/{first.id}/move", headers=HTMX,
                      data={"csrf_token": token, "direction": "down"}).status_code == 200
    line(db, "surveys", "question_moved", staff.user, target)
    assert staff.post(f"{base}/questions/{first.id}", data={
        f"q{first.id}-csrf_token": token, f"q{first.id}-kind": "single",
        f"q{first.id}-text": "修得及时吗？", f"q{first.id}-options": "是\n否",
        f"q{first.id}-required": "y"}).status_code == 303
    assert line(db, "surveys", "question_edited", staff.user, target).detail == "修得及时吗？"
    assert staff.post(f"{base}/questions/{first.id}/remove",
                      data={"csrf_token": token}).status_code == 303
    line(db, "surveys", "question_removed", staff.user, target)

    assert staff.post(f"{base}/settings", data={
        "csrf_token": token, "title": "电梯维修", "intro": "", "opens_on": "2026-01-01",
        "closes_on": "2099-12-31", "audience": "all_residents"}).status_code == 303
    line(db, "surveys", "survey_settings", staff.user, target)
    assert staff.post(f"{base}/publish", data={"csrf_token": token}).status_code == 303
    line(db, "surveys", "survey_published", staff.user, target)
    assert staff.get(f"{base}/responses.csv").status_code == 200
    assert line(db, "surveys", "export", staff.user, target).detail == "csv"
    assert staff.post(f"{base}/summary", data={"csrf_token": token, "summary": "大家满意。"}
                      ).status_code == 303
    line(db, "surveys", "summary_saved", staff.user, target)
    assert staff.post(f"{base}/summary", data={
        "csrf_token": token, "summary": "大家满意。", "published": "y"}).status_code == 303
    line(db, "surveys", "summary_published", staff.user, target)
    assert staff.post(f"{base}/close", data={"csrf_token": token}).status_code == 303
    line(db, "surveys", "survey_closed", staff.user, target)
    assert staff.post(f"{base}/copy", data={"csrf_token": token}).status_code == 303
    copy = db.scalar(select(Survey).where(Survey.id != survey.id))
    assert line(db, "surveys", "survey_copied", staff.user, target).detail == f"#{copy.id}"


def test_a_refused_publish_records_nothing(db, staff_client):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    token = csrf_token(staff, "/staff/surveys")
    staff.post("/staff/surveys", data={"csrf_token": token, "title": "空问卷"})
    survey = db.scalar(select(Survey))
    staff.post(f"/staff/surveys/{survey.id}/publish", data={"csrf_token": token})
    assert [entry.action for entry in lines(db, "surveys")] == ["survey_created"]
