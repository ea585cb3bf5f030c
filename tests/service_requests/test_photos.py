"""Request photos through the form: refused files come back as form errors, at most three are
kept, GPS is stripped, and only the owner and the staff whose scope includes the request
see them."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.files.models import StoredFile
from portal.files.service import file_path
from portal.service_requests import service as s
from tests.conftest import sign_in
from tests.files.test_uploads import jpeg_with_gps
from tests.service_requests.test_resident_views import form_of, jpeg


def _post(client, categories, photos):
    return client.post("/requests/new", data={
        **form_of(client), "category": categories["hazard"].id, "building": "3号楼",
        "description": "小区东门的井盖松动，有人差点摔倒。",
        "photos": [(io.BytesIO(data), name) for data, name in photos]},
        content_type="multipart/form-data")


def test_refused_file_is_a_form_error(resident_client, categories, db):
    response = _post(resident_client, categories, [(b"just text, honestly", "photo.jpg")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "JPEG" in html and "小区东门的井盖松动" in html
    assert db.scalar(select(StoredFile)) is None


def test_at_most_three_photos(resident_client, categories, db):
    response = _post(resident_client, categories, [(jpeg(color=(i, 0, 0)), f"{i}.jpg")
                                                   for i in range(4)])
    assert response.status_code == 422
    assert len(db.scalars(select(StoredFile)).all()) == 3


def test_photo_access(app, db, resident, resident_client, make_user, staff_client, categories):
    response = _post(resident_client, categories, [(jpeg_with_gps(), "gps.jpg")])
    assert response.status_code == 303
    ref = re.search(r"/requests/(R[\d-]+)", response.headers["Location"]).group(1)
    stored = db.scalar(select(StoredFile))
    with app.app_context(), Image.open(file_path(stored)) as saved:
        assert not saved.getexif()
    url = f"/files/{stored.token}"
    assert resident_client.get(url).status_code == 200
    assert staff_client(Role.GRID_WORKER).get(url).status_code == 200  # the category's team
    assert staff_client(Role.DIRECTOR).get(url).status_code == 200
    # Finding 10: staff who handle requests, but not this one, get what its page answers them.
    # Other teams' officers: not their request (404); the culture officer: not their work (403).
    for role, page_answer in ((Role.CIVIL_AFFAIRS, 404), (Role.GOVERNANCE, 404),
                              (Role.CULTURE, 403)):
        outsider = staff_client(role)
        assert outsider.get(f"/staff/requests/{ref}").status_code == page_answer
        assert outsider.get(url).status_code == 404
    assigned = staff_client(Role.GOVERNANCE)
    with app.app_context():
        s.assign(db, s.by_ref(db, ref), assigned.user, assigned.user)
    db.commit()
    assert assigned.get(url).status_code == 200  # assigned to them: in their scope
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.RESIDENT))
    assert stranger.get(url).status_code == 404
    follower = make_user(Role.RESIDENT)
    with app.app_context():
        s.follow(db, follower, s.by_ref(db, ref))
    db.commit()
    client = app.test_client()
    sign_in(client, follower)
    assert client.get(url).status_code == 404  # a photo is a private detail
    assert app.test_client().get(url).status_code == 404
