"""The seat rules, straight through the service (each call in its own locked transaction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.activities import board, service
from portal.activities.models import Signup
from portal.clock import utcnow
from portal.errors import DomainError
from portal.notifications.models import Notification


def _sign_up(db, activity, user, companions=0, now=None):
    signup, created = service.sign_up(db, activity.id, user.id, companions, now or utcnow())
    db.commit()
    return signup


def _cancel(db, activity, user, now=None):
    promoted = service.cancel_signup(db, activity.id, user.id, now or utcnow())
    db.commit()
    return promoted


def _statuses(db, activity):
    db.expire_all()
    return {signup.user_id: signup.status for signup in db.scalars(
        select(Signup).where(Signup.activity_id == activity.id))}


def _told(db, user):
    return db.scalars(select(Notification.params).where(Notification.user_id == user.id)).all()


def test_companions_take_seats_and_the_waitlist_skips_parties_that_do_not_fit(
        db, make_user, make_activity):
    activity = make_activity(capacity=5, max_companions=2)
    a, b, c, d = (make_user() for _ in range(4))
    assert _sign_up(db, activity, a, companions=2).status == "confirmed"  # 3 of 5
    assert _sign_up(db, activity, b, companions=2).status == "waitlisted"  # 3 > 2 left
    assert _sign_up(db, activity, c, companions=1).status == "confirmed"  # 5 of 5
    d_signup = _sign_up(db, activity, d)
    assert d_signup.status == "waitlisted"
    assert service.waitlist_position(db, d_signup) == 2
    assert service.seats_taken(db, activity.id) == 5

    promoted = _cancel(db, activity, c)  # frees 2: b (3) doesn't fit, d (1) does
    assert [signup.user_id for signup in promoted] == [d.id]
    assert _statuses(db, activity) == {a.id: "confirmed", b.id: "waitlisted",
                                       c.id: "cancelled", d.id: "confirmed"}
    assert _told(db, d) and not _told(db, b)

    _cancel(db, activity, a)  # frees 3: b moves up
    assert _statuses(db, activity)[b.id] == "confirmed"
    assert service.seats_taken(db, activity.id) == 4


def test_too_many_companions_or_a_group_bigger_than_the_activity_is_refused(
        db, make_user, make_activity):
    activity = make_activity(capacity=2, max_companions=3)
    with pytest.raises(DomainError) as error:
        service.sign_up(db, activity.id, make_user().id, 2, utcnow())
    assert error.value.field == "companions"
    db.rollback()
    small = make_activity(capacity=10, max_companions=1)
    with pytest.raises(DomainError):
        service.sign_up(db, small.id, make_user().id, 2, utcnow())
    db.rollback()
    assert db.scalar(select(Signup.id)) is None


def test_signing_up_twice_keeps_one_signup(db, make_user, make_activity):
    activity = make_activity()
    user = make_user()
    first = _sign_up(db, activity, user, companions=1)
    again, created = service.sign_up(db, activity.id, user.id, 0, utcnow())
    db.commit()
    assert not created and again.id == first.id and again.companions == 1
    assert len(_statuses(db, activity)) == 1


def test_the_unique_constraint_backs_one_signup_per_person(db, make_user, make_activity):
    from sqlalchemy.exc import IntegrityError

    activity, user = make_activity(), make_user()
    _sign_up(db, activity, user)
    db.add(Signup(activity_id=activity.id, user_id=user.id, status="waitlisted", seq=99,
                  checkin_code="999999"))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_after_cancelling_one_may_sign_up_again_at_the_back(db, make_user, make_activity):
    activity = make_activity(capacity=1)
    a, b = make_user(), make_user()
    _sign_up(db, activity, a)
    _sign_up(db, activity, b)
    _cancel(db, activity, a)  # b promoted
    again = _sign_up(db, activity, a)
    assert again.status == "waitlisted" and again.seq == 3


def test_the_signup_window(db, make_user, make_activity):
    now = utcnow()
    activity = make_activity(signup_opens_at=now + timedelta(hours=1),
                             signup_closes_at=now + timedelta(days=1))
    user = make_user()
    with pytest.raises(DomainError, match="not opened"):
        service.sign_up(db, activity.id, user.id, 0, now)
    db.rollback()
    assert _sign_up(db, activity, user, now=now + timedelta(hours=2)).status == "confirmed"
    with pytest.raises(DomainError, match="closed"):
        service.sign_up(db, activity.id, make_user().id, 0, now + timedelta(days=1))
    db.rollback()


def test_drafts_are_invisible_and_cancelled_activities_take_no_signups(
        db, make_user, make_activity):
    draft = make_activity(status="draft")
    with pytest.raises(service.NotFound):
        service.sign_up(db, draft.id, make_user().id, 0, utcnow())
    db.rollback()
    cancelled = make_activity(status="cancelled")
    with pytest.raises(DomainError, match="cancelled"):
        service.sign_up(db, cancelled.id, make_user().id, 0, utcnow())
    db.rollback()


def _fields(activity, **changes):
    fields = {key: getattr(activity, key) for key in service.EDITABLE}
    fields.update(changes)
    return fields


def test_cancelling_an_activity_tells_everyone_signed_up_or_waiting(
        db, make_user, make_activity):
    activity = make_activity(capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    _sign_up(db, activity, a)
    _sign_up(db, activity, b)
    _sign_up(db, activity, c)
    _cancel(db, activity, c)
    db.query(Notification).delete()
    db.commit()
    service.update_activity(db, activity.id, _fields(activity, status="cancelled"), utcnow(),
                            actor=None)
    db.commit()
    told = set(db.scalars(select(Notification.user_id)))
    assert told == {a.id, b.id}  # c had already left
    with pytest.raises(DomainError):
        service.sign_up(db, activity.id, make_user().id, 0, utcnow())
    db.rollback()


def test_capacity_cannot_drop_below_seats_taken_and_a_rise_fills_from_the_waitlist(
        db, make_user, make_activity):
    activity = make_activity(capacity=3, max_companions=2)
    a, b, c, d = (make_user() for _ in range(4))
    _sign_up(db, activity, a, companions=2)  # 3 of 3
    _sign_up(db, activity, b, companions=1)  # waits (2)
    _sign_up(db, activity, c)  # waits (1)
    _sign_up(db, activity, d, companions=2)  # waits (3)

    with pytest.raises(DomainError) as error:
        service.update_activity(db, activity.id, _fields(activity, capacity=2), utcnow(),
                                actor=None)
    assert error.value.field == "capacity"
    db.rollback()

    service.update_activity(db, activity.id, _fields(activity, capacity=6), utcnow(), actor=None)
    db.commit()
    # 3 new seats: b (2) and c (1) move up in order; d (3) still waits.
    assert _statuses(db, activity) == {a.id: "confirmed", b.id: "confirmed",
                                       c.id: "confirmed", d.id: "waitlisted"}
    assert _told(db, b) and _told(db, c) and not _told(db, d)


def test_nothing_moves_once_the_activity_has_started(db, make_user, make_activity):
    activity = make_activity(capacity=1)
    a, b = make_user(), make_user()
    _sign_up(db, activity, a)
    _sign_up(db, activity, b)
    with pytest.raises(DomainError):
        service.cancel_signup(db, activity.id, a.id, activity.starts_at)
    db.rollback()


def test_board_fingerprint_changes_when_a_seat_is_taken(app, db, make_user, make_activity):
    activity = make_activity()
    now = utcnow()

    def fingerprint():
        return db.execute(select(*board.fingerprint(now))).one()

    before = fingerprint()
    with app.app_context():
        assert board.load(now)["activities"][0]["seats_left"] == 10
    user = make_user()
    _sign_up(db, activity, user, companions=1)
    after_signup = fingerprint()
    assert after_signup != before
    _cancel(db, activity, user)
    assert fingerprint() != after_signup
    with app.app_context():
        data = board.load(now)
    assert data["activities"][0]["seats_left"] == 10
    assert set(data["activities"][0]) == {"id", "title", "category", "place", "starts_at",
                                          "seats_left"}
