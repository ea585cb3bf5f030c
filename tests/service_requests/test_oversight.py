"""Which teams a deputy oversees (分管): set on their account page by the director, and then
a team's long-overdue requests and bad ratings go to that deputy, not to every deputy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.clock import utcnow
from portal.figures.models import RatingFollowUp
from portal.notifications.models import Notification
from portal.satisfaction import Level
from portal.service_requests import service as s


def _told(db, user) -> list[str]:
    db.expire_all()
    return [n.params["ref"] for n in db.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.link.like("/staff/requests/%")))]


def test_the_director_sets_the_teams_on_the_deputys_page(app, db, staff_client, make_user,
                                                         csrf):
    director = staff_client(Role.DIRECTOR)
    deputy = make_user(Role.DEPUTY_DIRECTOR, name="周副主任")
    page = f"/staff/users/{deputy.id}"
    assert "未设置" in director.get(page).get_data(as_text=True)
    bogus = director.post(page + "/oversees", data={
        "oversees-csrf_token": csrf(director, page), "oversees-teams": ["resident"]})
    assert bogus.status_code == 422
    answer = director.post(page + "/oversees", data={
        "oversees-csrf_token": csrf(director, page),
        "oversees-teams": ["civil_affairs", "grid_worker"]})
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(type(deputy), deputy.id).oversees == "grid_worker,civil_affairs"
    shown = director.get(page).get_data(as_text=True)
    assert "网格员、民政专干" in shown
    line = db.scalar(select(AuditEntry).where(AuditEntry.action == "oversees_changed"))
    assert line.actor_id == director.user.id and "周副主任" in line.target

    worker = make_user(Role.GRID_WORKER)
    refused = director.post(f"/staff/users/{worker.id}/oversees", data={
        "oversees-csrf_token": csrf(director, page), "oversees-teams": ["culture"]})
    assert refused.status_code == 422 and "只有副主任" in refused.get_data(as_text=True)
    assert db.get(type(worker), worker.id).oversees == ""
    grid = staff_client(Role.GRID_WORKER)
    assert grid.post(page + "/oversees", data={}).status_code == 403


def test_escalations_and_bad_ratings_go_to_the_deputy_who_oversees_the_team(
        app, db, make_user, resident, file_request):
    grid_deputy = make_user(Role.DEPUTY_DIRECTOR, oversees="grid_worker")
    aid_deputy = make_user(Role.DEPUTY_DIRECTOR, oversees="civil_affairs")
    now = utcnow()
    repair = file_request(resident, key="repair", now=now - timedelta(days=3))
    dispute = file_request(resident, key="dispute", now=now - timedelta(days=3))  # governance
    with app.app_context():
        app.config["REQUEST_ESCALATE_AFTER_HOURS"] = 24
        assert s.escalate_long_overdue(db, now=now) == 2
        db.commit()
    assert sorted(_told(db, grid_deputy)) == sorted([repair.ref, dispute.ref])
    assert _told(db, aid_deputy) == [dispute.ref]  # nobody oversees governance: both hear

    staff = make_user(Role.GRID_WORKER)
    with app.test_request_context():
        item = db.get(type(repair), repair.id)
        s.transition(db, item, s.ACCEPTED, staff, now=now)
        s.transition(db, item, s.RESOLVED, staff, note="修好了", now=now)
        s.rate(db, item, resident, Level.VERY_DISSATISFIED, "没修好", now=now)
        db.commit()
    follow_up = db.scalar(select(RatingFollowUp).where(RatingFollowUp.request_id == repair.id))
    assert follow_up.assignee_id == grid_deputy.id
