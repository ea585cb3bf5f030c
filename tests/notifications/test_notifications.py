"""The inbox, the bell and the outbox that `portal send-notifications` delivers."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from portal.notifications import service
from portal.notifications.models import Notification, OutboxMessage
from tests.conftest import csrf_token

MESSAGE = _l("Please sign in to see that page.")  # any catalogued message will do


def test_notify_fills_inbox_and_outbox(db, resident, make_user):
    other = make_user()
    service.notify(db, [resident.id, other.id, resident.id], MESSAGE, link="/account")
    db.commit()
    assert db.scalars(select(Notification.user_id)).all().count(resident.id) == 1
    assert len(db.scalars(select(OutboxMessage)).all()) == 2
    stored = db.scalar(select(Notification).where(Notification.user_id == resident.id))
    assert stored.message == "Please sign in to see that page."  # the source, translated later


def test_inbox_shows_messages_in_the_readers_language(resident_client, resident, db):
    service.notify(db, resident.id, MESSAGE, link="/account")
    db.commit()
    chinese = resident_client.get("/notifications").get_data(as_text=True)
    assert "请先登录，再查看这个页面。" in chinese
    english = resident_client.get("/notifications", headers={"Accept-Language": "en"})
    assert "Please sign in to see that page." in english.get_data(as_text=True)


def test_a_message_with_a_context_is_translated_in_that_context(app, resident_client,
                                                                resident, db):
    # "Type" alone reads 类型; with the meeting context it is 会议类型.
    service.notify(db, resident.id, lazy_pgettext("meeting", "Type"), outbox=False)
    db.commit()
    stored = db.scalar(select(Notification))
    assert stored.message == "meeting\x04Type"  # the context travels with the source text
    chinese = resident_client.get("/notifications").get_data(as_text=True)
    assert '<span class="inbox-text">会议类型</span>' in chinese
    english = resident_client.get("/notifications", headers={"Accept-Language": "en"})
    assert '<span class="inbox-text">Type</span>' in english.get_data(as_text=True)


def test_bell_counts_unread_and_opening_marks_read(resident_client, resident, db):
    service.notify(db, resident.id, MESSAGE, link="/account")
    service.notify(db, resident.id, MESSAGE)
    db.commit()
    inbox = resident_client.get("/notifications").get_data(as_text=True)
    assert inbox.count('<span class="tag">未读</span>') == 2
    bell = resident_client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert 'class="badge">2' in bell.get_data(as_text=True)
    assert "<html" not in bell.get_data(as_text=True)

    first = db.scalars(select(Notification).order_by(Notification.id)).first()
    token = csrf_token(resident_client, "/notifications")
    response = resident_client.post(f"/notifications/{first.id}/open",
                                    data={"csrf_token": token})
    assert response.headers["Location"] == "/account"
    assert 'class="badge">1' in resident_client.get("/notifications/bell").get_data(as_text=True)

    resident_client.post("/notifications/read", data={"csrf_token": token})
    assert "badge" not in resident_client.get("/notifications/bell").get_data(as_text=True)


def test_the_bells_count_comes_in_the_statement_that_loads_the_user(resident_client, resident,
                                                                   db, count_queries):
    service.notify(db, resident.id, MESSAGE)
    db.commit()
    with count_queries() as log:
        bell = resident_client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert 'class="badge">1' in bell.get_data(as_text=True)
    assert log.count == 1 and "FROM notification" in log.statements[0]


def test_someone_elses_notification_is_404(app, resident, make_user, db):
    other = make_user()
    service.notify(db, other.id, MESSAGE)
    db.commit()
    notification = db.scalar(select(Notification))
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, resident)
    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{notification.id}/open", data={"csrf_token": token})
    assert response.status_code == 404
    db.refresh(notification)
    assert notification.read_at is None


def test_send_notifications_delivers_once_in_the_users_language(app, resident, db, caplog):
    resident.locale = "zh_Hans_CN"
    service.notify(db, resident.id, MESSAGE)
    db.commit()
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO, logger="portal.notifications"):
        first = runner.invoke(args=["portal", "send-notifications"])
        second = runner.invoke(args=["portal", "send-notifications"])
    assert "Sent 1, failed 0." in first.output
    assert "Sent 0, failed 0." in second.output
    assert any("请先登录" in record.getMessage() for record in caplog.records)
    db.expire_all()
    assert db.scalar(select(OutboxMessage)).sent_at is not None


def test_a_failing_sender_keeps_the_message_for_the_next_run(app, resident, db):
    class BrokenSender:
        def send(self, user, text):
            raise ConnectionError("relay down")

    service.notify(db, resident.id, MESSAGE)
    db.commit()
    with app.app_context():
        counts = service.deliver_outbox(db, BrokenSender())
        db.commit()
    assert counts == {"sent": 0, "failed": 1}
    message = db.scalar(select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1
    assert "relay down" in message.last_error


def test_inbox_query_count_does_not_grow(resident_client, resident, db, count_queries):
    def visit():
        with count_queries() as log:
            assert resident_client.get("/notifications").status_code == 200
        return log.count

    service.notify(db, resident.id, MESSAGE)
    db.commit()
    few = visit()
    for _ in range(60):
        service.notify(db, resident.id, MESSAGE)
    db.commit()
    assert visit() == few <= 6
