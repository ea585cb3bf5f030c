"""Board profiles in the back office: who may set them up, and the form's behaviour."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.board.models import BoardProfile


def test_only_staff_with_manage_board_may_open_profiles(client, resident_client, staff_client):
    assert client.get("/staff/board").status_code == 302  # to sign in
    assert resident_client.get("/staff/board").status_code == 403
    assert staff_client(Role.GRID_WORKER).get("/staff/board").status_code == 403
    assert staff_client(Role.DIRECTOR).get("/staff/board").status_code == 200
    assert staff_client(Role.ADMIN).get("/staff/board").status_code == 200


def test_create_edit_and_delete_a_profile(staff_client, csrf, db):
    staff = staff_client(Role.DIRECTOR)
    token = csrf(staff, "/staff/board")
    page = staff.get("/staff/board").get_data(as_text=True)
    assert 'value="notices"' in page and 'value="figures"' in page  # registered sections

    response = staff.post("/staff/board", data={
        "csrf_token": token, "name": " Building 3 lobby ", "slug": " Building-3 ",
        "sections": ["notices", "figures"], "building": "3号楼"})
    assert response.status_code == 303
    profile = db.scalar(select(BoardProfile))
    assert (profile.name, profile.slug, profile.sections, profile.building) == (
        "Building 3 lobby", "building-3", ["notices", "figures"], "3号楼")
    assert staff.get("/board?profile=building-3").status_code == 200

    response = staff.post(f"/staff/board/{profile.id}", data={
        "csrf_token": token, "name": "Lobby", "slug": "lobby", "building": ""})
    assert response.status_code == 303
    db.refresh(profile)
    assert (profile.slug, profile.sections, profile.building) == ("lobby", [], None)

    response = staff.post(f"/staff/board/{profile.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.scalar(select(func.count(BoardProfile.id))) == 0


def test_errors_keep_what_was_typed_and_duplicates_are_refused(staff_client, csrf, db):
    staff = staff_client(Role.DIRECTOR)
    token = csrf(staff, "/staff/board")
    data = {"csrf_token": token, "name": "Lobby", "slug": "lobby", "sections": ["figures"]}
    assert staff.post("/staff/board", data=data).status_code == 303

    again = staff.post("/staff/board", data=data)  # a double submit
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert re.search(r'id="slug-error">.*这个简称已被其他方案使用', html)
    assert '<a href="#slug">这个简称已被其他方案使用' in html  # and in the summary
    assert db.scalar(select(func.count(BoardProfile.id))) == 1

    bad = staff.post("/staff/board", data={**data, "name": "Hall", "slug": "hall 2!"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="Hall"' in html and 'value="hall 2!"' in html
    assert 'class="error-summary"' in html
    assert re.search(r'id="slug-error">.*小写字母', html)

    other = staff.post("/staff/board", data={**data, "name": "Hall", "slug": "hall"})
    assert other.status_code == 303
    hall = db.scalar(select(BoardProfile).where(BoardProfile.slug == "hall"))
    taken = staff.post(f"/staff/board/{hall.id}", data={**data, "name": "Hall 2"})
    assert taken.status_code == 422  # renaming onto another profile's short name
    assert 'value="Hall 2"' in taken.get_data(as_text=True)
    db.refresh(hall)
    assert (hall.name, hall.slug) == ("Hall", "hall")


def test_stale_csrf_keeps_the_form(staff_client, db):
    staff = staff_client(Role.DIRECTOR)
    response = staff.post("/staff/board", data={"csrf_token": "stale", "name": "Lobby",
                                                "slug": "lobby"})
    assert response.status_code == 422
    assert 'value="Lobby"' in response.get_data(as_text=True)
    assert db.scalar(select(func.count(BoardProfile.id))) == 0


def test_demo_profiles_load_twice_without_duplicates(db):
    from portal.board import demo

    lines = []
    for _ in range(2):
        demo.load(db, echo=lines.append)
        db.commit()
    slugs = db.scalars(select(BoardProfile.slug).order_by(BoardProfile.slug)).all()
    assert slugs == ["building-3", "lobby"]
    assert "/board?profile=lobby" in lines[0]
