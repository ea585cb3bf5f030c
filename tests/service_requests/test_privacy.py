"""Finding 1 of the security issue, reproduced: a resident who types a neighbour's building on
/account, finds the neighbour's request through the similar-request hint and follows it, gets
its public summary and its news, and never its description, exact location, photos, the
owner's rating or the staff's internal notes. Nothing they type about themselves changes that.
"""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.files.models import StoredFile
from portal.service_requests import service as s
from portal.service_requests.models import ServiceRequest
from tests.conftest import sign_in
from tests.service_requests.test_resident_views import form_of, jpeg

DESCRIPTION = "我家厨房水管漏水，楼下天花板都湿了，家里只有我一个老人。"
ROOM = "2单元 1702室"


def _neighbours_request(app, db, make_user, categories):
    """The neighbour in 3号楼 reports a leak with a photo, through the real form."""
    neighbour = make_user(Role.RESIDENT, building="3号楼", unit="2单元", room="1702")
    client = app.test_client()
    sign_in(client, neighbour)
    response = client.post("/requests/new", data={
        **form_of(client), "category": categories["repair"].id, "building": "3号楼",
        "location": ROOM, "description": DESCRIPTION,
        "photos": [(io.BytesIO(jpeg()), "leak.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 303
    ref = re.search(r"/requests/(R[\d-]+)", response.headers["Location"]).group(1)
    staff = make_user(Role.GRID_WORKER)
    with app.app_context():
        item = s.by_ref(db, ref)
        s.transition(db, item, s.ACCEPTED, staff)
        s.reply(db, item, staff, "师傅明天上午九点上门。", public=True)
        s.reply(db, item, staff, "这户老人独居，注意多关照。", public=False)
    db.commit()
    photo = db.scalar(select(StoredFile))
    return ref, photo.token


def _private_details_absent(html: str, photo_token: str) -> None:
    assert DESCRIPTION[:8] not in html
    assert "1702" not in html
    assert photo_token not in html
    assert "独居" not in html  # the internal note


def test_the_attack_gets_the_summary_only(app, db, make_user, categories, csrf):
    ref, photo_token = _neighbours_request(app, db, make_user, categories)
    attacker = make_user(Role.RESIDENT, building="9号楼", unit="1单元", room="101")
    client = app.test_client()
    sign_in(client, attacker)

    # They change their building to the neighbour's, as /account lets anyone do.
    token = csrf(client, "/account")
    client.post("/account", data={"csrf_token": token, "name": attacker.name,
                                  "building": "3号楼", "unit": "2单元", "room": "1701"})
    db.refresh(attacker)
    assert attacker.building == "3号楼"

    # The hint for that building tells them a repair is open there, and nothing else.
    hint = client.get(f"/requests/similar?category={categories['repair'].id}&building=3号楼",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ref in hint
    _private_details_absent(hint, photo_token)

    # They follow it, and read what following gives: the status and the office's reply.
    token = csrf(client, "/requests/new")
    assert client.post(f"/requests/{ref}/follow", data={"csrf_token": token}).status_code == 303
    page = client.get(f"/requests/{ref}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "师傅明天上午九点上门" in html and "3号楼" in html
    _private_details_absent(html, photo_token)
    listing = client.get("/requests/").get_data(as_text=True)
    assert ref in listing
    _private_details_absent(listing, photo_token)

    # The photo is not theirs to see, followed or not.
    assert client.get(f"/files/{photo_token}").status_code == 404

    # Changing the building back changes nothing either way.
    client.post("/account", data={"csrf_token": csrf(client, "/account"), "name": attacker.name,
                                  "building": "9号楼", "unit": "1单元", "room": "101"})
    db.refresh(attacker)
    assert attacker.building == "9号楼"
    html = client.get(f"/requests/{ref}").get_data(as_text=True)
    _private_details_absent(html, photo_token)
    assert client.get(f"/files/{photo_token}").status_code == 404


def test_the_owner_still_sees_everything(app, db, make_user, categories):
    ref, photo_token = _neighbours_request(app, db, make_user, categories)
    owner = db.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref)).owner
    client = app.test_client()
    sign_in(client, owner)
    html = client.get(f"/requests/{ref}").get_data(as_text=True)
    assert DESCRIPTION in html and "1702" in html and photo_token in html
    assert "独居" not in html  # internal notes are staff-only, for the owner too
    assert client.get(f"/files/{photo_token}").status_code == 200


def test_walking_references_gives_nothing_private(app, db, make_user, categories):
    """References are sequential; trying them one by one finds nothing but 404s."""
    ref, photo_token = _neighbours_request(app, db, make_user, categories)
    client = app.test_client()
    sign_in(client, make_user(Role.RESIDENT))
    day, number = ref.rsplit("-", 1)
    for n in range(1, int(number) + 3):
        assert client.get(f"/requests/{day}-{n:04d}").status_code == 404
