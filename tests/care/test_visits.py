"""Visits: what a grid worker has due this week, recording one, overdue flags, the photo's
access and the coverage figures."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.care.models import CarePerson, CareVisit
from portal.clock import today
from portal.files.models import StoredFile
from tests.conftest import csrf_token


def _due(db, person, days_from_today):
    db.get(CarePerson, person.id).next_visit_on = today() + timedelta(days=days_from_today)
    db.commit()


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 10)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def test_my_visits_are_this_weeks_most_overdue_first(staff_client, add_person, db,
                                                       app_context):
    worker = staff_client(Role.GRID_WORKER)
    soon = add_person(worker.user, name="近期")
    late = add_person(worker.user, name="最久")
    later = add_person(worker.user, name="稍久")
    far = add_person(worker.user, name="下个月")
    others = add_person(staff_client(Role.GRID_WORKER).user, name="别人的")
    _due(db, soon, 0)
    _due(db, late, -20)
    _due(db, later, -3)
    _due(db, far, 40)
    _due(db, others, -30)
    page = worker.get("/staff/care/visits").get_data(as_text=True)
    names = re.findall(r"<strong>([^<]+)</strong>", page)
    assert names == ["最久", "稍久", "近期"]
    assert "已超期 20 天" in page


def test_recording_a_visit_with_a_photo_moves_the_next_one(staff_client, add_person, db, app):
    worker = staff_client(Role.GRID_WORKER)
    person = add_person(worker.user, frequency="fortnightly")
    _due(db, person, -2)
    token = csrf_token(worker, f"/staff/care/{person.id}/visit")
    answer = worker.post(f"/staff/care/{person.id}/visit", data={
        "csrf_token": token, "outcome": "needs_help", "needs_seen": ["meals", "errands"],
        "note": "冰箱空了", "referral_needed": "y", "referral_role": "civil_affairs",
        "visited_on": today().isoformat(),
        "photo": (_jpeg(), "visit.jpg")}, content_type="multipart/form-data")
    assert answer.status_code == 303
    db.expire_all()
    with app.app_context():  # the note is decrypted with the app's data key
        visit = db.scalar(select(CareVisit).where(CareVisit.person_id == person.id))
        assert visit.referral_needed and visit.needs_seen == "meals,errands"
        assert visit.note == "冰箱空了"
        assert not visit.on_time  # it was two days late
        person = db.get(CarePerson, person.id)
        assert person.last_visit_on == today()
        assert person.next_visit_on == today() + timedelta(days=14)
    photo = db.get(StoredFile, visit.photo_id)
    assert photo.attached
    url = f"/files/{photo.token}"
    assert worker.get(url).status_code == 200
    assert staff_client(Role.CIVIL_AFFAIRS).get(url).status_code == 200
    assert staff_client(Role.GRID_WORKER).get(url).status_code in (403, 404)


def test_a_visit_in_the_future_is_refused(staff_client, add_person, db):
    worker = staff_client(Role.GRID_WORKER)
    person = add_person(worker.user)
    token = csrf_token(worker, f"/staff/care/{person.id}/visit")
    answer = worker.post(f"/staff/care/{person.id}/visit", data={
        "csrf_token": token, "outcome": "well",
        "visited_on": (today() + timedelta(days=1)).isoformat()})
    assert answer.status_code == 422
    assert "不能晚于今天" in answer.get_data(as_text=True)
    assert db.scalar(select(CareVisit)) is None


def test_a_refused_visit_keeps_its_photo_for_the_next_try(staff_client, add_person, db, app):
    """A visit sent with a day in the future (or no outcome) comes back with the photo
    already added; sent again with only the fix, it is recorded with that photo."""
    worker = staff_client(Role.GRID_WORKER)
    person = add_person(worker.user)
    page = f"/staff/care/{person.id}/visit"
    token = csrf_token(worker, page)
    fields = {"csrf_token": token, "outcome": "well", "note": "门口的灯坏了"}
    first = worker.post(page, data={**fields, "visited_on": (today() + timedelta(days=1))
                                    .isoformat(), "photo": (_jpeg(), "visit.jpg")},
                        content_type="multipart/form-data")
    html = first.get_data(as_text=True)
    assert first.status_code == 422 and "已添加的照片" in html and "门口的灯坏了" in html
    kept = re.search(r'name="photo_tokens" type="hidden" value="([^"]+)"', html).group(1)
    second = worker.post(page, data={**fields, "outcome": "", "photo_tokens": kept})
    assert second.status_code == 422 and "已添加的照片" in second.get_data(as_text=True)
    third = worker.post(page, data={**fields, "photo_tokens": kept,
                                    "visited_on": today().isoformat()})
    assert third.status_code == 303
    with app.app_context():  # a visit's note is decrypted with the app's data key
        photo_id = db.scalar(select(CareVisit.photo_id).where(CareVisit.person_id == person.id))
    photo = db.get(StoredFile, photo_id)
    assert photo.token == kept and photo.attached
    # Someone else's kept photo is not theirs to attach.
    other = staff_client(Role.GRID_WORKER)
    stranger = add_person(other.user, name="别人")
    fourth = other.post(f"/staff/care/{stranger.id}/visit", data={
        "csrf_token": csrf_token(other, f"/staff/care/{stranger.id}/visit"), "outcome": "well",
        "visited_on": today().isoformat(), "photo_tokens": kept})
    assert fourth.status_code == 303
    assert db.scalar(select(CareVisit.photo_id).where(CareVisit.person_id == stranger.id)
                     ) is None


def test_a_post_without_its_token_is_refused_before_the_page_is_shown(client, make_user,
                                                                       add_person, db):
    """A back-office form sent without a valid CSRF token (a page left open past its
    sign-in): the page runs again only for someone the back office lets in. A resident is
    refused and a visitor sent to sign in, and neither reads the person's file."""
    person = add_person(make_user(Role.GRID_WORKER), name="王奶奶")
    page = f"/staff/care/{person.id}/visit"
    anonymous = client.post(page, data={"outcome": "well"})
    assert anonymous.status_code == 303 and "/auth/login" in anonymous.headers["Location"]
    resident = make_user(Role.RESIDENT)
    from tests.conftest import sign_in as sign_in_directly
    sign_in_directly(client, resident)
    refused = client.post(page, data={"outcome": "well"})
    assert refused.status_code == 403 and "王奶奶" not in refused.get_data(as_text=True)


def test_overdue_people_are_flagged_in_the_register(staff_client, add_person, db):
    worker = staff_client(Role.GRID_WORKER)
    _due(db, add_person(worker.user, name="超期的"), -1)
    _due(db, add_person(worker.user, name="按时的"), 3)
    page = worker.get("/staff/care?overdue=1").get_data(as_text=True)
    assert "超期的" in page and "按时的" not in page


def test_the_figures_show_visit_coverage_per_worker_and_building(staff_client, add_person, db,
                                                                  make_user):
    wang = make_user(Role.GRID_WORKER, name="王网格")
    li = make_user(Role.GRID_WORKER, name="李网格")
    _due(db, add_person(wang, building="1号楼"), 2)
    _due(db, add_person(wang, building="1号楼"), -1)
    _due(db, add_person(li, building="2号楼"), 0)
    _due(db, add_person(li, building="2号楼"), 5)
    page = staff_client(Role.DIRECTOR).get("/staff/figures").get_data(as_text=True)
    assert "75.0%" in page and "(3/4)" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>(\d+/\d+)</td></tr>", page)
    assert ("王网格", "50.0%", "1/2") in rows and ("李网格", "100.0%", "2/2") in rows
    assert ("1号楼", "50.0%", "1/2") in rows and ("2号楼", "100.0%", "2/2") in rows
