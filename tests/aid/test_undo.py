"""Taking a just-sent application back to change it (issue 17): for 10 minutes after sending
the resident may have it back as it was, everything kept; staff never see it in that time, so
the undo never reaches them as a withdrawal. The clock is injected; nothing sleeps."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidApplication, AidEvent
from portal.audit.models import AuditEntry
from portal.clock import FixedClock, today
from portal.files.service import IMAGES_AND_PDF, take_uploads
from portal.notifications.models import Notification, OutboxMessage
from tests.aid.conftest import jpeg_bytes
from tests.aid.test_views import _post

SENT = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


@pytest.fixture
def clock(app):
    clock = app.extensions["clock"] = FixedClock(SENT)
    return clock


@pytest.fixture
def draft(app, db, build_application, resident):
    application = build_application(resident)
    with app.test_request_context():
        uploads = take_uploads(db, [FileStorage(io.BytesIO(jpeg_bytes()), "身份证.jpg")],
                               owner_id=resident.id, area=service.AREA, allowed=IMAGES_AND_PDF)
        service.attach_files(db, application, "id_card", uploads.files)
    db.commit()
    return application


def _send(client, application):
    base = f"/aid/{application.url_key}"
    response = _post(client, base + "/submit", {}, token_page=base + "/check")
    assert response.status_code == 303 and response.headers["Location"].endswith("/confirmation")
    return response.headers["Location"].removesuffix("/confirmation")


def application_id(app, db, application) -> str:
    """The applicant's ID number, as staff would type it into the search."""
    with app.app_context():
        return service.reveal_ids(_reload(db, application))["applicant"]


def _reload(db, application) -> AidApplication:
    db.expire_all()
    return db.get(AidApplication, application.id)


def _staff_see(staff, db, ref) -> bool:
    queue = staff.get("/staff/aid").get_data(as_text=True)
    page = staff.get(f"/staff/aid/{ref}")
    with staff.application.test_request_context():
        counted = service.queue_counts(db, today())["new"]
    seen = ref in queue, page.status_code == 200, counted == 1
    assert len(set(seen)) == 1, seen  # the queue, the page and the count agree
    return seen[0]


def _received_messages(db, resident) -> tuple[int, int]:
    """The "we received your application" lines: (in the inbox, waiting in the outbox)."""
    received = service.STAGE_MESSAGES["submitted"]._args[0]
    inbox = db.scalars(select(Notification).where(Notification.user_id == resident.id,
                                                  Notification.message == received)).all()
    outbox = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == resident.id,
                                                    OutboxMessage.message == received)).all()
    return len(inbox), len(outbox)


def test_taken_back_within_ten_minutes_is_a_draft_again_with_everything_kept(
        app, db, clock, draft, resident_client, resident, staff_client):
    staff = staff_client(Role.CIVIL_AFFAIRS)
    base = _send(resident_client, draft)
    ref = _reload(db, draft).ref
    assert base == f"/aid/{ref}"
    confirmation = resident_client.get(base + "/confirmation").get_data(as_text=True)
    assert "2026年12月3日 14:40 前" in confirmation and "撤回修改" in confirmation
    assert "撤回修改" in resident_client.get(base).get_data(as_text=True)
    assert not _staff_see(staff, db, ref)  # not staff's yet, nor to act on
    assert _post(staff, f"/staff/aid/{ref}/accept", {}, token_page="/staff/aid").status_code \
        == 404
    response = _post(staff, "/staff/aid/search", {"id_number": application_id(app, db, draft)},
                     token_page="/staff/aid")
    assert response.status_code == 200 and ref not in response.get_data(as_text=True)

    assert _received_messages(db, resident) == (1, 1)
    clock.advance(minutes=9, seconds=59)
    response = _post(resident_client, base + "/undo", {}, token_page=base)
    assert _received_messages(db, resident) == (0, 0)  # "we received it" is unsaid
    assert response.status_code == 303 and response.headers["Location"] == base
    application = _reload(db, draft)
    assert (application.stage, application.ref, application.submitted_at) == ("draft", ref, None)
    assert [m.name for m in application.members] == ["成员0"]
    assert application.id_masked and application.income_fen == 50000
    assert [link.item for link in application.files] == ["id_card"]
    assert set(application.sections_done) >= {"applicant", "household", "income", "consent"}
    assert db.scalars(select(AidEvent.stage).where(
        AidEvent.application_id == application.id)).all() == []
    line = db.scalar(select(AuditEntry).where(AuditEntry.action == "undo_submit"))
    assert (line.actor_id, line.target) == (resident.id, ref)
    receipt = resident_client.get(base + "/confirmation")  # taken back: no receipt
    assert receipt.status_code == 303 and receipt.headers["Location"] == base
    tasks = resident_client.get(base)
    assert "有什么要改的" not in tasks.get_data(as_text=True)
    assert "核对信息并提交" in tasks.get_data(as_text=True)  # the task list, ready to send

    # staff never saw it, and still don't: not as a withdrawal, not at all
    clock.advance(minutes=30)
    assert not _staff_see(staff, db, ref)
    assert ref not in staff.get("/staff/aid?stage=withdrawn").get_data(as_text=True)

    # changed and sent again: the same reference, and staff see it 10 minutes later
    _send(resident_client, application)
    assert _received_messages(db, resident) == (1, 1)
    assert _reload(db, draft).ref == ref
    clock.advance(minutes=10)
    assert _staff_see(staff, db, ref)
    page = staff.get(f"/staff/aid/{ref}").get_data(as_text=True)
    assert "撤回" not in page
    response = _post(staff, "/staff/aid/search", {"id_number": application_id(app, db, draft)},
                     token_page="/staff/aid")
    assert ref in response.get_data(as_text=True)


def test_after_ten_minutes_the_control_is_gone_and_the_undo_refused(
        app, db, clock, draft, resident_client, staff_client):
    base = _send(resident_client, draft)
    token_page = base
    clock.advance(minutes=10)
    assert "撤回修改" not in resident_client.get(base + "/confirmation").get_data(as_text=True)
    assert "撤回修改" not in resident_client.get(base).get_data(as_text=True)
    response = _post(resident_client, base + "/undo", {}, token_page=token_page)
    assert response.status_code == 422
    assert "已超过 10 分钟" in response.get_data(as_text=True)
    assert _reload(db, draft).stage == "submitted"
    assert _staff_see(staff_client(Role.CIVIL_AFFAIRS), db, _reload(db, draft).ref)


def test_withdrawing_within_ten_minutes_gives_the_draft_back(
        app, db, clock, draft, resident_client, staff_client):
    base = _send(resident_client, draft)
    page = resident_client.get(base + "/withdraw").get_data(as_text=True)
    assert "14:40" in page and "草稿" in page
    response = _post(resident_client, base + "/withdraw", {})
    assert response.status_code == 303
    application = _reload(db, draft)
    assert application.stage == "draft" and application.files
    clock.advance(hours=1)
    assert not _staff_see(staff_client(Role.CIVIL_AFFAIRS), db, application.ref)


def test_a_resent_application_taken_back_is_returned_again(
        app, db, clock, draft, resident_client, staff_client, make_user):
    staff = staff_client(Role.CIVIL_AFFAIRS)
    _send(resident_client, draft)
    clock.advance(minutes=11)
    application = _reload(db, draft)
    first_sent = application.submitted_at
    with app.test_request_context():
        service.return_for_materials(db, application, staff.user, today(), "请补充户口本")
    db.commit()
    clock.advance(minutes=5)
    base = _send(resident_client, application)
    assert not _staff_see(staff, db, application.ref)  # resent: staff see it in 10 minutes
    _post(resident_client, base + "/undo", {}, token_page=base)
    application = _reload(db, draft)
    assert application.stage == "returned" and application.submitted_at == first_sent
    assert [event.stage for event in application.events] == ["submitted", "returned"]
    assert application.ref in staff.get("/staff/aid?stage=returned").get_data(as_text=True)


def test_someone_else_cannot_take_it_back(app, db, clock, draft, resident_client, make_user):
    from tests.conftest import sign_in

    _send(resident_client, draft)
    other = app.test_client()
    sign_in(other, make_user(Role.RESIDENT))
    ref = _reload(db, draft).ref
    assert _post(other, f"/aid/{ref}/undo", {}, token_page="/aid/new").status_code == 404
    assert _reload(db, draft).stage == "submitted"
