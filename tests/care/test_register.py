"""The care register: who sees whom (an access matrix), what each role is shown, consent,
encryption at rest, the history of changes and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.care.models import CareChange, CarePerson, CareVisit
from tests.conftest import csrf_token

PERSON_URLS = ("/staff/care/{id}", "/staff/care/{id}/visit")
MANAGER_URLS = ("/staff/care/new", "/staff/care/{id}/edit", "/staff/care/import",
                "/staff/care/template.xlsx", "/staff/care/export.xlsx")


@pytest.fixture
def world(staff_client, add_person):
    mine = staff_client(Role.GRID_WORKER)
    other = staff_client(Role.GRID_WORKER)
    return {"mine": mine, "other": other,
            "civil": staff_client(Role.CIVIL_AFFAIRS),
            "director": staff_client(Role.DIRECTOR),
            "culture": staff_client(Role.CULTURE),
            "governance": staff_client(Role.GOVERNANCE),
            "person": add_person(mine.user), "theirs": add_person(other.user)}


def test_access_matrix(world, resident_client):
    person = world["person"].id
    for url in PERSON_URLS:
        url = url.format(id=person)
        assert world["mine"].get(url).status_code == 200, url
        assert world["other"].get(url).status_code == 404, url  # another grid's person
        assert world["civil"].get(url).status_code == 200, url
        assert world["director"].get(url).status_code == 200, url
        for refused in ("culture", "governance"):
            assert world[refused].get(url).status_code == 403, (refused, url)
        assert resident_client.get(url).status_code == 403, url
    for url in ("/staff/care", "/staff/care/visits"):
        assert world["mine"].get(url).status_code == 200
        assert world["culture"].get(url).status_code == 403
        assert resident_client.get(url).status_code == 403
    for url in MANAGER_URLS:
        url = url.format(id=person)
        assert world["civil"].get(url).status_code == 200, url
        assert world["director"].get(url).status_code == 200, url
        assert world["mine"].get(url).status_code == 403, url
        assert resident_client.get(url).status_code == 403, url


def test_changes_are_refused_the_same_way(world, resident_client, db):
    theirs = world["theirs"].id
    other_grid = world["mine"]  # the person below is in the other worker's grid
    token = csrf_token(other_grid, "/staff/care")
    visit = {"csrf_token": token, "outcome": "well"}
    assert other_grid.post(f"/staff/care/{theirs}/visit", data=visit).status_code == 404
    for url in (f"/staff/care/{theirs}/edit", "/staff/care/new", "/staff/care/import",
                "/staff/care/import/confirm"):
        assert other_grid.post(url, data={"csrf_token": token}).status_code == 403, url
    resident_token = csrf_token(resident_client, "/account")
    assert resident_client.post(f"/staff/care/{theirs}/visit", data={
        "csrf_token": resident_token, "outcome": "well"}).status_code == 403
    culture = world["culture"]
    assert culture.post(f"/staff/care/{theirs}/visit", data={
        "csrf_token": csrf_token(culture, "/account"), "outcome": "well"}).status_code == 403
    assert db.scalar(select(CareVisit)) is None


def test_a_grid_worker_lists_only_their_own_grid(world):
    page = world["mine"].get("/staff/care").get_data(as_text=True)
    assert world["person"].name in page and world["theirs"].name not in page
    everyone = world["civil"].get("/staff/care").get_data(as_text=True)
    assert world["person"].name in everyone and world["theirs"].name in everyone


def test_a_grid_worker_sees_what_a_visit_needs_and_not_the_sensitive_part(world):
    mine = world["mine"].get(f"/staff/care/{world['person'].id}").get_data(as_text=True)
    assert "13700001111" in mine  # the emergency contact: a visit needs it
    assert "糖尿病" not in mine and "怕冷" not in mine
    full = world["civil"].get(f"/staff/care/{world['person'].id}").get_data(as_text=True)
    assert "糖尿病" in full and "怕冷" in full


def test_sensitive_fields_are_encrypted_at_rest(world, db):
    raw = db.execute(text("SELECT health, contacts, notes FROM care_person WHERE id = :id"),
                     {"id": world["person"].id}).one()
    assert all(value and value.startswith("gAAAA") for value in raw)
    assert "糖尿病" not in raw[0] and "13700001111" not in raw[1]


def test_every_opening_is_in_the_audit_log(world, db):
    world["mine"].get(f"/staff/care/{world['person'].id}")
    entries = db.scalars(select(AuditEntry).where(AuditEntry.area == "care",
                                                  AuditEntry.action == "view")).all()
    assert [entry.actor_id for entry in entries] == [world["mine"].user.id]
    assert entries[0].target.startswith(f"#{world['person'].id} ")


def _form(**changes) -> dict:
    values = {"name": "周大爷", "phone": "", "building": "8号楼", "unit": "1单元",
              "room": "101", "categories": ["alone"], "needs": ["meals"],
              "grid_worker_id": "", "frequency": "weekly", "risk": "high",
              "legal_basis": "consent", "consent_on": "2026-12-01", "health": "心脏病",
              "id_number": "", "contacts": "周强 儿子 13700002222", "notes": ""}
    values.update(changes)
    return values


def test_adding_needs_the_consent_or_legal_basis(world, db):
    client = world["civil"]
    token = csrf_token(client, "/staff/care/new")
    answer = client.post("/staff/care/new", data={**_form(legal_basis="", consent_on=""),
                                                  "csrf_token": token})
    assert answer.status_code == 422
    assert "请选择" in answer.get_data(as_text=True) or "consent" in answer.get_data(as_text=True)
    assert db.scalar(select(CarePerson).where(CarePerson.name == "周大爷")) is None


def test_adding_links_the_account_and_a_second_time_is_refused(world, db, make_user,
                                                               app_context):
    resident = make_user(Role.RESIDENT, phone="13600000001")
    client = world["civil"]
    token = csrf_token(client, "/staff/care/new")
    form = {**_form(phone="136 0000 0001", grid_worker_id=str(world["mine"].user.id)),
            "csrf_token": token}
    answer = client.post("/staff/care/new", data=form)
    assert answer.status_code == 303
    person = db.scalar(select(CarePerson).where(CarePerson.name == "周大爷"))
    assert person.user_id == resident.id and person.grid_worker_id == world["mine"].user.id
    assert client.post("/staff/care/new", data=form).status_code == 422


def test_a_change_is_dated_and_names_the_fields(world, db):
    client, person = world["civil"], world["person"]
    token = csrf_token(client, f"/staff/care/{person.id}/edit")
    form = {**_form(name=person.name, building=person.building, unit=person.unit,
                    room=person.room, grid_worker_id=str(world["mine"].user.id),
                    health="糖尿病，已截肢", risk="high"),
            "version": str(person.version), "csrf_token": token}
    assert client.post(f"/staff/care/{person.id}/edit", data=form).status_code == 303
    changes = db.scalars(select(CareChange).where(CareChange.person_id == person.id)
                         .order_by(CareChange.id)).all()
    assert changes[0].fields == "*"
    assert {"health", "risk"} <= set(changes[1].fields.split(","))
    page = client.get(f"/staff/care/{person.id}").get_data(as_text=True)
    assert "风险等级" in page or "Risk level" in page
    # An old version of the form is refused, not saved over the newer one.
    assert client.post(f"/staff/care/{person.id}/edit", data=form).status_code == 422
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "person_edited")).all()
    assert len(audit) == 1 and "13700" not in audit[0].detail


def test_a_grid_worker_may_not_be_given_to_someone_who_does_not_visit(world, db):
    client = world["civil"]
    token = csrf_token(client, "/staff/care/new")
    answer = client.post("/staff/care/new", data={
        **_form(grid_worker_id=str(world["culture"].user.id)), "csrf_token": token})
    assert answer.status_code == 422
