"""The needs map counts elderly-care and disability-support demand by building from both
aid applications and the care register, and never shows a person."""

from __future__ import annotations

from portal.accounts.roles import Role
from portal.care import service as care
from portal.clock import today
from tests.aid.conftest import build_application, types  # noqa: F401 (fixtures)
from tests.conftest import sign_in


class _System:
    id = None


def _add(app, db, name, building, categories, needs):
    with app.test_request_context():
        care.add_person(db, _System(), {
            "name": name, "phone": None, "building": building, "unit": "1单元",
            "room": "101", "categories": categories, "needs": needs, "frequency": "weekly",
            "risk": "medium", "legal_basis": "consent", "consent_on": today(),
            "grid_worker_id": None, "health": "糖尿病", "contacts": None, "id_number": None,
            "notes": None}, today())
        db.commit()


def test_the_needs_map_adds_the_register_to_the_applications(app, db, make_user,
                                                             build_application):  # noqa: F811
    applicant = make_user(Role.RESIDENT, building="3号楼")
    build_application(applicant, code="elderly_care", stage="review")
    build_application(applicant, code="disability", stage="draft")  # not sent: not counted
    _add(app, db, "王奶奶", "3号楼", ["alone", "very_old"], ["meals", "home_nursing"])
    _add(app, db, "李大爷", "3号楼", ["disabled", "empty_nest"], ["rehabilitation"])
    _add(app, db, "赵叔", "7号楼", ["disabled"], ["meals"])
    _add(app, db, "小刘", "7号楼", ["left_behind_child"], ["counselling"])
    client = app.test_client()
    sign_in(client, make_user(Role.DIRECTOR))

    needs = {entry["building"]: entry
             for entry in client.get("/staff/figures.json").get_json()["needs"]}
    assert needs["3号楼"] == {"building": "3号楼", "elderly_care": 1, "disability": 0,
                              "register_elderly": 2, "register_disabled": 1, "meals": 1,
                              "home_nursing": 1, "rehabilitation": 1}
    assert needs["7号楼"] == {"building": "7号楼", "elderly_care": 0, "disability": 0,
                              "register_elderly": 0, "register_disabled": 1, "meals": 1,
                              "home_nursing": 0, "rehabilitation": 0}
    html = client.get("/staff/figures").get_data(as_text=True)
    assert "王奶奶" not in html and "糖尿病" not in html
