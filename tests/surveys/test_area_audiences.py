"""The activities and requests areas plug their audiences into surveys."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from portal.accounts.roles import Role
from portal.activities.models import Activity, Signup
from portal.clock import utcnow
from portal.service_requests import service as requests
from portal.surveys import audience
from portal.surveys.service import create_survey


def _survey(db, author, key, params):
    survey = create_survey(db, "Area audience", author)
    survey.audience_key, survey.audience_params = key, params
    db.commit()
    return survey


def test_residents_who_attended_an_activity(app, db, make_user):
    author = make_user(Role.CULTURE)
    came, stayed_home, outsider = (make_user(Role.RESIDENT) for _ in range(3))
    now = utcnow()
    activity = Activity(title="剪纸", description="", category="heritage", audience="",
                        place="活动室", starts_at=now - timedelta(days=2),
                        ends_at=now - timedelta(days=2, hours=-2), capacity=10,
                        max_companions=0, signup_opens_at=now - timedelta(days=9),
                        signup_closes_at=now - timedelta(days=3), status="published")
    db.add(activity)
    db.flush()
    for seq, (person, attended) in enumerate([(came, True), (stayed_home, False)], start=1):
        db.add(Signup(activity_id=activity.id, user_id=person.id, status="confirmed", seq=seq,
                      checkin_code=f"{seq:06d}", attended_at=now if attended else None))
    db.commit()
    survey = _survey(db, author, "activity_attended", {"activity": str(activity.id)})
    with app.app_context():
        assert audience.audience_size(db, survey) == 1
        assert audience.is_member(db, survey, came.id)
        assert not audience.is_member(db, survey, stayed_home.id)
        assert not audience.is_member(db, survey, outsider.id)
        choices = audience.get_source("activity_attended").params[0].choices(db)
    assert choices == [(str(activity.id), "剪纸")]


def test_residents_whose_request_was_resolved_in_a_period(app, db, make_user):
    author = make_user(Role.DIRECTOR)
    in_period, too_early, unresolved = (make_user(Role.RESIDENT) for _ in range(3))
    with app.app_context():
        requests.seed_categories(db)
        category = requests.categories(db)[0]
        for person, resolved_at in [
            (in_period, datetime(2026, 11, 10, 16, 30, tzinfo=UTC)),  # 11 Nov 00:30 Beijing
            (too_early, datetime(2026, 10, 31, 15, 59, tzinfo=UTC)),  # 31 Oct 23:59 Beijing
            (unresolved, None),
        ]:
            item = requests.submit(db, person, category=category, description="楼道灯坏了很久了",
                                   building="3号楼", location="2单元", urgent=False,
                                   many_households=False,
                                   idempotency_key=secrets.token_urlsafe(16))
            item.resolved_at = resolved_at
        db.commit()
        survey = _survey(db, author, "request_resolved",
                         {"first_day": "2026-11-01", "last_day": "2026-11-30"})
        assert audience.audience_size(db, survey) == 1
        assert audience.is_member(db, survey, in_period.id)
        assert not audience.is_member(db, survey, too_early.id)
        assert not audience.is_member(db, survey, unresolved.id)
