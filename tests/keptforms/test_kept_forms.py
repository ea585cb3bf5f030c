"""A kept form with a real photo, htmx, a sign-in that ended on the server, another person on
the same phone, what an anonymous client may make us store, and the clean-up."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.clock import FixedClock, utcnow
from portal.files.models import StoredFile
from portal.files.service import file_path
from portal.keptforms import jobs
from portal.keptforms.models import KeptForm
from portal.service_requests.models import RequestPhoto, ServiceRequest
from tests.conftest import sign_in as sign_in_directly
from tests.keptforms.helpers import (
    KEPT,
    RESTORED,
    SIGNED_OUT,
    post_signed_out,
    sign_in,
    sign_in_page,
)
from tests.service_requests.test_resident_views import jpeg

DESCRIPTION = "三楼楼道的灯坏了，晚上老人看不见台阶。"


def _request_form(categories, **extra):
    return {"category": str(categories["repair"].id), "description": DESCRIPTION,
            "building": "3号楼", "location": "2单元", "idempotency_key": "photo-kept-12345",
            **extra}


def _path(app, stored):
    with app.app_context():
        return file_path(stored)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_photo_comes_back_attached_and_the_request_is_sent_with_it(
        app, client, db, resident, categories):
    data = _request_form(categories, photos=[(io.BytesIO(jpeg()), "楼道.jpg")])
    response = post_signed_out(client, "/requests/new", data, page="/requests/new",
                               content_type="multipart/form-data")
    html, next_page = sign_in_page(client, response)
    assert KEPT in html
    kept_photo = db.scalar(select(StoredFile))
    assert kept_photo.owner_id is None and not kept_photo.attached  # nobody's yet
    assert client.get(f"/files/{kept_photo.token}").status_code == 404

    assert sign_in(client, resident, html, next_page).headers["Location"] == "/requests/new"
    page = client.get("/requests/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and DESCRIPTION in text and RESTORED in text
    assert f"/files/{kept_photo.token}" in text  # shown as already added
    assert re.search(rf'name="photo_tokens"[^>]*value="{kept_photo.token}"', text)
    assert client.get(f"/files/{kept_photo.token}").status_code == 200
    assert _count(db, ServiceRequest) == 0  # not sent until they press Send

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)
    sent = client.post("/requests/new", data={**_request_form(categories),
                                              "photo_tokens": kept_photo.token,
                                              "csrf_token": token})
    assert sent.status_code == 303
    item = db.scalar(select(ServiceRequest))
    assert item.description == DESCRIPTION and item.owner_id == resident.id
    assert db.scalar(select(RequestPhoto.file_id)) == kept_photo.id
    db.refresh(kept_photo)
    assert kept_photo.attached and kept_photo.owner_id == resident.id


def test_htmx_is_sent_to_the_sign_in_page_too(app, client, db, resident, categories):
    response = post_signed_out(client, "/requests/new", _request_form(categories),
                               page="/requests/new",
                               headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/auth/login?next=")
    assert _count(db, KeptForm) == 1
    html = client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert KEPT in html


def test_a_sign_in_that_ended_on_the_server_is_kept_too(app, db, resident, categories, csrf):
    """The session cookie (with its CSRF token) is still there, but the sign-in behind it
    ended: signed out on another phone."""
    from portal.accounts.service import end_all_sessions

    phone = app.test_client()
    sign_in_directly(phone, resident)
    token = csrf(phone, "/requests/new")
    end_all_sessions(resident)
    db.commit()
    response = phone.post("/requests/new", data={**_request_form(categories),
                                                 "csrf_token": token})
    html, _next_page = sign_in_page(phone, response)
    assert KEPT in html
    # Signing in from the plain sign-in page (no ?next=) still goes back to the kept form.
    assert sign_in(phone, resident, html).headers["Location"] == "/requests/new"
    assert DESCRIPTION in phone.get("/requests/new").get_data(as_text=True)


def test_another_person_on_the_same_phone_never_sees_it(app, db, resident, make_user,
                                                       categories, csrf):
    """When the lapsed session named its account, only that account gets the form back."""
    from portal.accounts.service import end_all_sessions

    neighbour = make_user(Role.RESIDENT)
    phone = app.test_client()
    sign_in_directly(phone, resident)
    token = csrf(phone, "/requests/new")
    end_all_sessions(resident)
    db.commit()
    data = _request_form(categories, csrf_token=token,
                         photos=[(io.BytesIO(jpeg()), "a.jpg")])
    html, next_page = sign_in_page(phone, phone.post("/requests/new", data=data,
                                                     content_type="multipart/form-data"))
    photo = db.scalar(select(StoredFile))
    landing = sign_in(phone, neighbour, html, next_page)
    assert landing.headers["Location"] == "/requests/new"  # their ?next=, nothing more
    text = phone.get("/requests/new").get_data(as_text=True)
    assert DESCRIPTION not in text and photo.token not in text
    assert _count(db, KeptForm) == 0 and _count(db, StoredFile) == 0
    assert not _path(app, photo).exists()


def test_with_the_cookies_cleared_whoever_signs_in_gets_it_only_into_the_form(
        app, client, db, make_user, categories):
    """Nothing tells whose it was: the first account to sign in on this browser gets the
    fields it typed back into the form, unsent; it is then no one else's."""
    first, second = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    html, next_page = sign_in_page(client, post_signed_out(
        client, "/requests/new", _request_form(categories), page="/requests/new"))
    sign_in(client, first, html, next_page)
    assert db.scalar(select(KeptForm.user_id)) == first.id
    other = app.test_client()  # the key is the browser's: another browser has nothing
    sign_in_directly(other, second)
    other.set_cookie("linli_kept_form", client.get_cookie("linli_kept_form").value)
    assert DESCRIPTION not in other.get("/requests/new").get_data(as_text=True)
    assert DESCRIPTION in client.get("/requests/new").get_data(as_text=True)


def test_the_key_expires_and_the_job_removes_it_with_its_files(app, client, db, resident,
                                                               categories):
    clock = app.extensions["clock"] = FixedClock(utcnow())
    data = _request_form(categories, photos=[(io.BytesIO(jpeg()), "a.jpg")])
    html, next_page = sign_in_page(client, post_signed_out(
        client, "/requests/new", data, page="/requests/new", content_type="multipart/form-data"))
    photo = db.scalar(select(StoredFile))
    clock.advance(hours=2, minutes=1)
    sign_in(client, resident, html, next_page)
    assert DESCRIPTION not in client.get("/requests/new").get_data(as_text=True)
    with app.app_context():
        from portal.extensions import db as portal_db

        assert jobs.run(portal_db.session, None, clock()) == "expired 1"
        portal_db.session.commit()
    assert _count(db, KeptForm) == 0 and _count(db, StoredFile) == 0
    assert not _path(app, photo).exists()


def test_one_browser_keeps_one_form(app, client, db, categories):
    for text in ("第一次写的内容，比较长一些。", "第二次写的内容，比较长一些。"):
        post_signed_out(client, "/requests/new", _request_form(categories, description=text),
                        page="/requests/new")
    assert _count(db, KeptForm) == 1


def test_what_an_anonymous_client_may_make_us_store_is_bounded(app, client, db, categories):
    app.config["KEPT_FORM_LIMIT_PER_IP"] = "2 per hour"
    too_many = {f"field{n}": "x" for n in range(300)}
    html, _next = sign_in_page(client, post_signed_out(client, "/requests/new", too_many,
                                                       page="/requests/new"))
    assert SIGNED_OUT in html and _count(db, KeptForm) == 0
    # A file under a field no form keeps (the account page has none) is never stored.
    post_signed_out(client, "/account", {"name": "王", "avatar": (io.BytesIO(jpeg()), "a.jpg")},
                    page="/account", content_type="multipart/form-data")
    assert _count(db, StoredFile) == 0
    # Not a photo: refused by the same checks as the form's own.
    post_signed_out(app.test_client(), "/requests/new", _request_form(
        categories, photos=[(io.BytesIO(b"MZ not an image"), "a.jpg")]), page="/requests/new",
        content_type="multipart/form-data")
    assert _count(db, StoredFile) == 0
    # Past the limit for one address: nothing more is kept, still no 400.
    response = post_signed_out(app.test_client(), "/requests/new", _request_form(categories),
                               page="/requests/new")
    assert response.status_code == 303 and _count(db, KeptForm) == 2


def test_staff_pages_and_public_forms_are_untouched(app, client, db):
    assert client.post("/staff/users", data={}).status_code == 303  # to sign in, nothing kept
    assert client.post("/auth/login", data={"phone": "1"}).status_code == 422
    assert _count(db, KeptForm) == 0


def test_kept_aid_materials_are_added_by_pressing_save(app, client, db, resident,
                                                      build_application):
    from portal.aid.models import AidFile
    from tests.aid.conftest import checklist_fields, jpeg_bytes, pdf_bytes

    application = build_application(resident)
    materials = f"/aid/{application.url_key}/materials"
    html, next_page = sign_in_page(client, post_signed_out(
        client, materials, {"item-1": "hukou", "item-2": "id_card",
                            "files-1": [(io.BytesIO(jpeg_bytes()), "第一页.jpg"),
                                        (io.BytesIO(pdf_bytes()), "第二页.pdf")],
                            "files-2": [(io.BytesIO(jpeg_bytes()), "身份证.jpg")]},
        page=materials, content_type="multipart/form-data"))
    sign_in(client, resident, html, next_page)
    text = client.get(materials).get_data(as_text=True)
    assert "第一页.jpg" in text and "第二页.pdf" in text and "身份证.jpg" in text
    assert _count(db, AidFile) == 0
    first = re.search(r'name="tokens-1" value="([^"]+)"', text).group(1)
    second = re.search(r'name="tokens-2" value="([^"]+)"', text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    response = client.post(materials, data={"csrf_token": token, **checklist_fields(text),
                                            "tokens-1": first, "tokens-2": second})
    assert response.status_code == 303
    assert _count(db, AidFile) == 3
    items = {link.item: link for link in db.scalars(select(AidFile))}
    assert set(items) == {application.aid_type.materials[0]["key"],
                          application.aid_type.materials[1]["key"]}
    assert all(stored.attached and stored.owner_id == resident.id
               for stored in db.scalars(select(StoredFile)))


def test_kept_aid_files_go_to_their_item_when_the_checklist_changed(app, client, db, resident,
                                                                  build_application):
    """Files are matched to the checklist by the item's key, never by its place: staff put a
    new item first while the resident was signed out, and each file still lands on its item."""
    from portal.aid.models import AidFile
    from tests.aid.conftest import checklist_fields, jpeg_bytes

    application = build_application(resident)
    materials = f"/aid/{application.url_key}/materials"
    sent = checklist_fields(_signed_in_page(app, resident, materials))
    assert sent["item-1"] == "hukou" and sent["item-2"] == "id_card"
    html, next_page = sign_in_page(client, post_signed_out(
        client, materials, {**sent, "files-1": [(io.BytesIO(jpeg_bytes()), "户口本.jpg")],
                            "files-2": [(io.BytesIO(jpeg_bytes()), "身份证.jpg")]},
        page=materials, content_type="multipart/form-data"))
    aid_type = application.aid_type
    aid_type.materials = [{"key": "residence", "zh": "居住证明", "en": "Proof of residence"},
                          *[item for item in aid_type.materials if item["key"] != "hukou"],
                          {"key": "hukou", "zh": "户口簿", "en": "Household register"}]
    db.commit()
    sign_in(client, resident, html, next_page)
    text = client.get(materials).get_data(as_text=True)
    now = checklist_fields(text)
    assert now["item-1"] == "residence" and now["item-2"] == "id_card"
    place = {key: name.split("-")[1] for name, key in now.items()}
    kept = dict(re.findall(r'name="(tokens-\d+)" value="([^"]+)"', text))
    assert set(kept) == {f"tokens-{place['hukou']}", f"tokens-{place['id_card']}"}
    token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    response = client.post(materials, data={"csrf_token": token, **now, **kept})
    assert response.status_code == 303
    items = {link.stored_file.original_name: link.item for link in db.scalars(select(AidFile))}
    assert items == {"户口本.jpg": "hukou", "身份证.jpg": "id_card"}


def test_files_for_an_item_taken_off_the_list_are_not_put_on_another(
        app, client, db, resident, build_application):
    from portal.aid.models import AidFile
    from tests.aid.conftest import checklist_fields, jpeg_bytes

    application = build_application(resident)
    materials = f"/aid/{application.url_key}/materials"
    signed_in = app.test_client()
    sign_in_directly(signed_in, resident)
    page = signed_in.get(materials).get_data(as_text=True)
    aid_type = application.aid_type
    aid_type.materials = [item for item in aid_type.materials if item["key"] != "hukou"]
    db.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = signed_in.post(materials, data={
        "csrf_token": token, **checklist_fields(page),
        "files-1": [(io.BytesIO(jpeg_bytes()), "户口本.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "材料清单有变动" in response.get_data(as_text=True)
    assert _count(db, AidFile) == 0


def _signed_in_page(app, user, url) -> str:
    other = app.test_client()
    sign_in_directly(other, user)
    return other.get(url).get_data(as_text=True)
