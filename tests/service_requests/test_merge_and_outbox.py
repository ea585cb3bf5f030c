"""Merging duplicates moves followers over; every status change and reply reaches the owner
and followers through the inbox and the outbox, with nothing but the reference in it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.errors import DomainError
from portal.notifications.models import Notification, OutboxMessage
from portal.notifications.senders import LogSender
from portal.notifications.service import deliver_outbox
from portal.service_requests import service as s
from portal.service_requests.models import RequestFollower


def _followers(db, item):
    return set(db.scalars(select(RequestFollower.user_id)
                          .where(RequestFollower.request_id == item.id)))


def test_merge_moves_owner_and_followers(app_context, db, make_user, file_request):
    first, second, neighbour, both = (make_user(Role.RESIDENT) for _ in range(4))
    staff = make_user(Role.GRID_WORKER)
    target = file_request(first)
    duplicate = file_request(second)
    s.follow(db, neighbour, duplicate)
    s.follow(db, both, duplicate)
    s.follow(db, both, target)
    db.commit()

    s.merge(db, duplicate, target, staff)
    db.commit()
    assert duplicate.status == s.DUPLICATE and duplicate.merged_into_id == target.id
    assert _followers(db, target) == {second.id, neighbour.id, both.id}
    assert _followers(db, duplicate) == set()
    # The second owner now sees the target, as a follower.
    assert s.followed_summary(db, second.id, target.ref) is not None
    told = set(db.scalars(select(Notification.user_id).where(
        Notification.params["target"].as_string() == target.ref)))
    assert told == {second.id, neighbour.id, both.id}


def test_merge_refusals(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    item, other = file_request(resident), file_request(resident)
    with pytest.raises(DomainError):
        s.merge(db, item, item, staff)
    s.transition(db, other, s.REJECTED, staff, note="不属于社区职责")
    with pytest.raises(DomainError):
        s.merge(db, item, other, staff)
    with pytest.raises(DomainError):
        s.merge(db, other, item, staff)  # a rejected request can't become a duplicate


def test_anyone_may_follow_an_open_request_and_only_an_open_one(app_context, db, make_user,
                                                                file_request):
    """Following gives the public summary only, so what a resident says about themselves
    (their building) decides nothing."""
    owner = make_user(Role.RESIDENT, building="3号楼")
    same = make_user(Role.RESIDENT, building="3号楼")
    elsewhere = make_user(Role.RESIDENT, building="9号楼")
    item = file_request(owner)
    assert s.follow(db, same, item) is True
    assert s.follow(db, same, item) is False
    assert s.follow(db, owner, item) is False
    assert s.follow(db, elsewhere, item) is True
    s.withdraw(db, item, owner)
    with pytest.raises(DomainError):
        s.follow(db, make_user(Role.RESIDENT), item)


def test_status_changes_and_replies_reach_owner_and_followers(app, db, make_user, file_request,
                                                               caplog):
    owner, follower = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    staff = make_user(Role.GRID_WORKER)
    with app.app_context():
        item = file_request(owner)
        s.follow(db, follower, item)
        s.transition(db, item, s.ACCEPTED, staff)
        s.reply(db, item, staff, "明天上午师傅上门。", public=True)
        s.reply(db, item, staff, "业主脾气不好", public=False)  # internal: nobody is told
        db.commit()
    told = {user.id: list(db.scalars(select(Notification.message)
                                     .where(Notification.user_id == user.id)
                                     .order_by(Notification.id)))
            for user in (owner, follower)}
    assert told[owner.id] == [
        "Your request “%(about)s” has been accepted. We aim to finish it %(by)s.",
        "The community office replied to your request “%(about)s”."]
    assert told[follower.id] == [
        "A request you follow (%(what)s) has been accepted.",
        "The community office replied on a request you follow (%(what)s)."]
    assert not db.scalars(select(Notification).where(Notification.user_id == staff.id)).all()

    with app.test_request_context(), caplog.at_level(logging.INFO, "portal.notifications"):
        counts = deliver_outbox(db, LogSender())
        db.commit()
    assert counts == {"sent": 4, "failed": 0}
    texts = [record.getMessage() for record in caplog.records]
    category = item.category.name_zh
    assert sum("您反映的“单元门的门禁坏了，关不上。”已受理，争取在" in text for text in texts) == 1
    assert sum(f"您关注的诉求（3号楼·{category}）已受理。" in text for text in texts) == 1
    for text in texts:
        assert owner.name not in text and owner.phone not in text and "师傅" not in text
    # the follower never reads the owner's description
    assert not [text for text in texts if "您关注" in text and "门禁" in text]
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) is None
