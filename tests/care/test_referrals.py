"""Referrals between roles (转介): an access matrix for every URL, the deadline in working days,
the overdue job (once), the outcome back to the referrer, the request's timeline, encryption
at rest, a constant number of statements on the list, and 代办 (aid filed on a family's
behalf) in the person's own list and nobody else's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from portal.accounts.roles import Role
from portal.aid.models import AidApplication
from portal.audit.models import AuditEntry
from portal.care import referrals
from portal.care.models import CareReferral
from portal.clock import today, utcnow
from portal.notifications.models import Notification
from portal.registry import registry
from portal.service_requests.models import RequestEvent
from portal.workdays import add_working_days
from tests.conftest import csrf_token


@pytest.fixture
def world(staff_client, add_person, app, db):
    mine = staff_client(Role.GRID_WORKER)
    other = staff_client(Role.GRID_WORKER)
    civil = staff_client(Role.CIVIL_AFFAIRS)
    person = add_person(mine.user)
    theirs = add_person(other.user)
    with app.test_request_context():
        referral = referrals.refer(db, mine.user, to_role="civil_affairs",
                                   note="老人说退休金不够买药", today=today(), person=person)
        foreign = referrals.refer(db, other.user, to_role="civil_affairs", note="别的网格",
                                  today=today(), person=theirs)
        db.commit()
    return {"mine": mine, "other": other, "civil": civil,
            "director": staff_client(Role.DIRECTOR),
            "culture": staff_client(Role.CULTURE), "governance": staff_client(Role.GOVERNANCE),
            "admin": staff_client(Role.ADMIN), "person": person, "theirs": theirs,
            "referral": referral, "foreign": foreign}


def _urls(world):
    rid = world["referral"].id
    return [f"/staff/care/referrals/{rid}", f"/staff/care/referrals/{rid}/aid"]


def test_access_matrix(world, resident_client, client):
    rid, fid = world["referral"].id, world["foreign"].id
    for who in ("mine", "civil", "director"):
        assert world[who].get("/staff/care/referrals").status_code == 200, who
        assert world[who].get(f"/staff/care/referrals/{rid}").status_code == 200, who
    # A grid worker: another grid's referral, which they did not send, is not there.
    assert world["mine"].get(f"/staff/care/referrals/{fid}").status_code == 404
    # Another receiving role sees the referrals to its own role only.
    assert world["culture"].get(f"/staff/care/referrals/{rid}").status_code == 404
    assert world["governance"].get("/staff/care/referrals").status_code == 200
    urls = [*_urls(world), "/staff/care/referrals",
            f"/staff/care/{world['person'].id}/refer"]
    for url in urls:
        assert world["admin"].get(url).status_code == 403, url
        assert resident_client.get(url).status_code == 403, url
        answer = client.get(url)
        assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"], url
    # 代办 needs aid's permission; a care record's referral form needs the person's grid.
    assert world["mine"].get(f"/staff/care/referrals/{rid}/aid").status_code == 403
    assert world["civil"].get(f"/staff/care/referrals/{rid}/aid").status_code == 200
    assert world["mine"].get(f"/staff/care/{world['theirs'].id}/refer").status_code == 404
    assert world["mine"].get(f"/staff/care/{world['person'].id}/refer").status_code == 200
    assert world["mine"].get(f"/staff/care/{world['person'].id}/aid").status_code == 403
    assert world["civil"].get(f"/staff/care/{world['person'].id}/aid").status_code == 200


def test_changes_are_refused_the_same_way(world, db, app):
    rid, fid = world["referral"].id, world["foreign"].id
    mine = world["mine"]
    token = csrf_token(mine, "/staff/care/referrals")
    # The referrer may read it, never take it or close it for the receiving role.
    assert mine.post(f"/staff/care/referrals/{rid}/accept",
                     data={"csrf_token": token}).status_code == 422
    answer = mine.post(f"/staff/care/referrals/{fid}/outcome", data={
        "csrf_token": token, "status": "done", "outcome": "x"})
    assert answer.status_code == 404
    admin = world["admin"]
    assert admin.post(f"/staff/care/referrals/{rid}/accept", data={
        "csrf_token": csrf_token(admin, "/account")}).status_code == 403
    db.expire_all()
    with app.app_context():
        assert db.get(CareReferral, rid).status == "open"


def test_the_deadline_is_in_working_days_and_the_note_is_encrypted(world, app, db):
    with app.app_context():
        referral = db.get(CareReferral, world["referral"].id)
    assert referral.due_on == add_working_days(today(), 3)
    stored = db.execute(text("SELECT note FROM care_referral WHERE id = :id"),
                        {"id": referral.id}).scalar()
    assert "退休金" not in stored
    app.config["REFERRAL_DUE_WORKDAYS"] = 5
    with app.test_request_context():
        later = referrals.refer(db, world["mine"].user, to_role="culture", note="想参加活动",
                                today=date(2026, 12, 4), person=world["person"])
    assert later.due_on == date(2026, 12, 11)  # Friday + 5 working days


def test_the_receiver_is_told_takes_it_and_the_outcome_goes_back(world, db):
    civil, mine = world["civil"], world["mine"]
    rid = world["referral"].id
    told = db.scalars(select(Notification).where(Notification.user_id == civil.user.id)).all()
    assert f"/staff/care/referrals/{rid}" in [n.link for n in told]
    incoming = civil.get("/staff/care/referrals?list=incoming").get_data(as_text=True)
    assert world["person"].name in incoming
    page = civil.get(f"/staff/care/referrals/{rid}").get_data(as_text=True)
    assert "老人说退休金不够买药" in page
    token = csrf_token(civil, f"/staff/care/referrals/{rid}")
    assert civil.post(f"/staff/care/referrals/{rid}/accept",
                      data={"csrf_token": token}).status_code == 303
    empty = civil.post(f"/staff/care/referrals/{rid}/outcome", data={
        "csrf_token": token, "status": "done", "outcome": ""})
    assert empty.status_code == 422
    assert civil.post(f"/staff/care/referrals/{rid}/outcome", data={
        "csrf_token": token, "status": "done", "outcome": "已送去临时救助申请表"}
    ).status_code == 303
    back = db.scalars(select(Notification).where(Notification.user_id == mine.user.id)).all()
    assert [n.link for n in back] == [f"/staff/care/referrals/{rid}"]
    assert "came back" in back[0].message
    sent = mine.get("/staff/care/referrals?list=sent").get_data(as_text=True)
    assert "已办结" in sent
    assert "已送去临时救助申请表" in mine.get(f"/staff/care/referrals/{rid}").get_data(
        as_text=True)
    record = mine.get(f"/staff/care/{world['person'].id}").get_data(as_text=True)
    assert f"/staff/care/referrals/{rid}" in record
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.area == "care")).all()
    assert {"referral_made", "referral_accepted", "referral_closed", "view"} <= set(actions)


def test_overdue_referrals_are_told_once(world, app, db):
    job = registry(app).jobs["care-referral-overdue"]
    with app.app_context():
        referral = db.get(CareReferral, world["referral"].id)
        referral.due_on = today() - timedelta(days=1)
        db.commit()
    before = db.scalar(select(text("count(*)")).select_from(Notification.__table__))
    with app.app_context():
        assert job.run(db, None, utcnow()) == "told 1"
        db.commit()
        assert job.run(db, None, utcnow()) == "told 0"
    told = db.scalars(select(Notification.user_id).where(Notification.id > 0)
                      .order_by(Notification.id)).all()[before:]
    assert set(told) == {world["civil"].user.id, world["mine"].user.id}
    page = world["civil"].get("/staff/care/referrals").get_data(as_text=True)
    assert "tag-alert" in page


def test_the_list_keeps_its_statement_count(world, app, db, count_queries):
    civil = world["civil"]
    civil.get("/staff/care/referrals?list=all")
    with count_queries() as few:
        civil.get("/staff/care/referrals?list=all")
    with app.test_request_context():
        for number in range(30):
            referrals.refer(db, world["mine"].user, to_role="civil_affairs",
                            note=f"第{number}件", today=today(), person=world["person"])
        db.commit()
    with count_queries() as many:
        page = civil.get("/staff/care/referrals?list=all")
    assert page.status_code == 200
    assert "第29件" not in page.get_data(as_text=True)  # a note is never on a list
    assert many.count == few.count, (few.count, many.count)


def test_a_visit_refers_in_the_same_form(world, db, app):
    mine, person = world["mine"], world["person"]
    token = csrf_token(mine, f"/staff/care/{person.id}/visit")
    missing = mine.post(f"/staff/care/{person.id}/visit", data={
        "csrf_token": token, "outcome": "needs_help", "referral_needed": "y",
        "note": "家里漏水，邻居不管"})
    assert missing.status_code == 422
    assert "家里漏水，邻居不管" in missing.get_data(as_text=True)
    assert mine.post(f"/staff/care/{person.id}/visit", data={
        "csrf_token": token, "outcome": "needs_help", "referral_needed": "y",
        "referral_role": "governance", "note": "家里漏水，邻居不管"}).status_code == 303
    with app.app_context():
        made = db.scalars(select(CareReferral).where(CareReferral.to_role == "governance")
                          ).one()
    assert made.visit_id is not None and made.note == "家里漏水，邻居不管"


def test_a_request_is_referred_from_its_page_and_its_timeline_says_so(
        world, file_request, resident, db):
    item = file_request(resident, key="repair")
    item.role = Role.GRID_WORKER.value
    db.commit()
    mine = world["mine"]
    page = mine.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert f"/staff/care/referrals/request/{item.ref}" in page
    token = csrf_token(mine, f"/staff/care/referrals/request/{item.ref}")
    assert mine.post(f"/staff/care/referrals/request/{item.ref}", data={
        "csrf_token": token, "to_role": "governance", "note": "两户为漏水吵架"}
    ).status_code == 303
    kinds = db.scalars(select(RequestEvent.kind).where(RequestEvent.request_id == item.id)).all()
    assert "referral" in kinds
    timeline = mine.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert "已转介给综治专干" in timeline
    assert "两户为漏水吵架" not in timeline  # the note stays with the referral
    assert world["culture"].get(f"/staff/care/referrals/request/{item.ref}").status_code == 404


def _png():
    import io

    from PIL import Image
    from werkzeug.datastructures import FileStorage

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename="hukou.png", content_type="image/png")


def _file_for(client, url, code="temporary"):
    token = csrf_token(client, url)
    answer = client.post(url, data={"csrf_token": token, "aid_type": code, "kind": "emergency",
                                    "kind_asked": "1", "start_key": "s" + url[-6:]})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:400]
    return answer.headers["Location"]


def test_aid_on_behalf_is_in_the_residents_own_list_only(world, types, db, make_user, app,
                                                         add_person, resident_client, resident):
    civil = world["civil"]
    person = add_person(world["mine"].user, phone=resident.phone, name=resident.name)
    assert person.user_id == resident.id
    location = _file_for(civil, f"/staff/care/{person.id}/aid")
    application = db.scalars(select(AidApplication)).one()
    assert application.applicant_id == resident.id
    assert application.filed_by_id == civil.user.id
    assert location.endswith(f"/aid/{application.key}/applicant")
    assert civil.get(location).status_code == 200  # staff fill in the same pages
    # Where to go on with it later: the aid queue lists the drafts one filed.
    assert f"/aid/{application.key}" in civil.get("/staff/aid").get_data(as_text=True)
    own = resident_client.get("/aid/").get_data(as_text=True)
    assert application.key in own
    assert db.scalars(select(Notification).where(Notification.user_id == resident.id)).all()
    stranger = make_user(Role.RESIDENT)
    from tests.conftest import sign_in

    other = app.test_client()
    sign_in(other, stranger)
    assert application.key not in other.get("/aid/").get_data(as_text=True)
    assert other.get(f"/aid/{application.key}").status_code == 404
    # A material staff uploaded with the family is the family's to see, nobody else's.
    from portal.aid import service as aid
    from portal.files.service import store_upload

    with app.test_request_context():
        stored = store_upload(db, _png(), owner_id=civil.user.id, area=aid.AREA)
        aid.attach_files(db, db.get(AidApplication, application.id),
                         application.aid_type.materials[0]["key"], [stored])
        db.commit()
    assert resident_client.get(f"/files/{stored.token}").status_code == 200
    assert other.get(f"/files/{stored.token}").status_code in (403, 404)
    assert world["mine"].get(f"/aid/{application.key}").status_code == 404
    # Staff reading it on the family's pages is in the audit log, as on the aid staff pages.
    from portal.audit.models import AuditEntry

    before = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.area == "aid", AuditEntry.action == "view"))
    assert civil.get(f"/aid/{application.key}").status_code == 200
    after = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.area == "aid", AuditEntry.action == "view",
        AuditEntry.actor_id == civil.user.id))
    assert after == before + 1


def test_aid_for_someone_without_an_account_belongs_to_nobody_and_closes_the_referral(
        world, types, db, app):
    civil = world["civil"]
    rid = world["referral"].id
    _file_for(civil, f"/staff/care/referrals/{rid}/aid")
    application = db.scalars(select(AidApplication)).one()
    assert application.applicant_id is None
    db.expire_all()
    with app.app_context():
        referral = db.get(CareReferral, rid)
    assert referral.aid_application_id == application.id and referral.status == "accepted"
    from portal.aid import service as aid
    from tests.aid.conftest import id_number

    with app.test_request_context():
        aid.save_applicant(application, name=application.name, id_number=id_number(3),
                           phone="13800138000")
        aid.mark_done(application, "household")
        aid.save_income(application, applicant_fen=0, member_fen={}, irregular=False,
                        housing=None, vehicles=None, savings_fen=None, circumstances="")
        aid.save_consent(application, utcnow())
    db.commit()
    token = csrf_token(civil, f"/aid/{application.key}/check")
    assert civil.post(f"/aid/{application.key}/submit",
                      data={"csrf_token": token}).status_code == 303
    db.expire_all()
    with app.app_context():
        referral = db.get(CareReferral, rid)
    assert referral.status == "done" and application.ref in referral.outcome
    told = db.scalars(select(Notification).where(
        Notification.user_id == world["mine"].user.id)).all()
    assert any("came back" in n.message for n in told)
    application = db.get(AidApplication, application.id)
    assert civil.user.name in civil.get(f"/aid/{application.ref}").get_data(as_text=True)
    # Past the minutes in which whoever sent it may take it back, it is in the staff queue,
    # with who filed it.
    application.submitted_at -= timedelta(minutes=11)
    db.commit()
    page = civil.get(f"/staff/aid/{application.ref}").get_data(as_text=True)
    assert civil.user.name in page and "代办" in page
