"""The resident side through HTTP: submit, keep values on errors, double submit, privacy,
follow, rate, withdraw, and a fixed number of queries for the list."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.files.models import StoredFile
from portal.service_requests import service as s
from portal.service_requests.models import RequestPhoto, ServiceRequest
from tests.conftest import sign_in

KEY = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*'
                 r'name="idempotency_key"')


def jpeg(size=(64, 48), color=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def form_of(client):
    html = client.get("/requests/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    match = KEY.search(html)
    return {"csrf_token": token, "idempotency_key": match.group(1) or match.group(2)}


def test_new_form_is_prefilled_from_the_profile(resident_client, categories):
    html = resident_client.get("/requests/new").get_data(as_text=True)
    assert 'value="3号楼"' in html
    assert "噪音扰民" in html and "政策咨询" in html


def test_submit_with_photo_and_see_confirmation(resident_client, resident, db, categories):
    data = {**form_of(resident_client), "category": categories["repair"].id,
            "description": "二楼楼道的灯不亮了，晚上看不见台阶。", "building": "3号楼",
            "location": "2单元", "urgent": "y",
            "photos": [(io.BytesIO(jpeg()), "light.jpg")]}
    response = resident_client.post("/requests/new", data=data,
                                    content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.scalar(select(ServiceRequest))
    assert re.fullmatch(r"R\d{8}-0001", item.ref)
    assert response.headers["Location"].endswith(f"/requests/{item.ref}?submitted=1")
    assert (item.priority, item.role, item.status) == (2, "grid_worker", "submitted")
    photo = db.scalar(select(StoredFile))
    assert photo.attached and db.scalar(select(RequestPhoto.request_id)) == item.id
    page = resident_client.get(response.headers["Location"]).get_data(as_text=True)
    assert item.ref in page and f"/files/{photo.token}" in page


def test_errors_keep_text_and_photos(resident_client, db, categories):
    fields = form_of(resident_client)
    response = resident_client.post("/requests/new", data={
        **fields, "category": categories["noise"].id, "description": "太吵", "building": "3号楼",
        "many_households": "y", "photos": [(io.BytesIO(jpeg()), "a.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "太吵" in html and 'name="many_households" type="checkbox" value="y" checked' in html \
        or "checked" in html
    stored = db.scalar(select(StoredFile))
    assert stored is not None and not stored.attached
    assert stored.token in html  # the photo is shown and carried in the hidden input

    response = resident_client.post("/requests/new", data={
        **fields, "category": categories["noise"].id, "building": "3号楼",
        "description": "楼上每天晚上十一点以后还在装修。", "photo_tokens": stored.token},
        content_type="multipart/form-data")
    assert response.status_code == 303
    db.expire_all()
    assert db.scalar(select(StoredFile)).attached


def test_double_submit_creates_one_request(resident_client, db, categories):
    data = {**form_of(resident_client), "category": categories["noise"].id,
            "description": "楼下店铺的音箱从早放到晚。", "building": "3号楼"}
    first = resident_client.post("/requests/new", data=data)
    second = resident_client.post("/requests/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == 1


def test_csrf_failure_keeps_values_and_stores_nothing(resident_client, db, categories):
    fields = form_of(resident_client)
    response = resident_client.post("/requests/new", data={
        "idempotency_key": fields["idempotency_key"], "category": categories["noise"].id,
        "description": "楼下店铺的音箱从早放到晚。", "building": "3号楼",
        "photos": [(io.BytesIO(jpeg()), "a.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "楼下店铺的音箱从早放到晚。" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == 0


def test_similar_hint_and_follow(app, make_user, file_request, categories, db, csrf):
    owner = make_user(Role.RESIDENT, building="5号楼")
    neighbour = make_user(Role.RESIDENT, building="5号楼")
    item = file_request(owner, "clutter")
    client = app.test_client()
    sign_in(client, neighbour)
    url = f"/requests/similar?category={categories['clutter'].id}&building=5号楼"
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="similar"') and item.ref in fragment
    assert item.ref not in client.get(
        f"/requests/similar?category={categories['noise'].id}&building=5号楼",
        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert client.get(f"/requests/{item.ref}").status_code == 404
    response = client.post(f"/requests/{item.ref}/follow",
                           data={"csrf_token": csrf(client, "/requests/new")})
    assert response.status_code == 303
    assert client.get(f"/requests/{item.ref}").status_code == 200
    assert item.ref in client.get("/requests/").get_data(as_text=True)


def test_similar_hint_shows_summaries_only(app, make_user, file_request, categories):
    item = file_request(make_user(Role.RESIDENT, building="5号楼"), "clutter",
                        location="2单元 702", description="702门口堆了一个旧沙发")
    outsider = app.test_client()
    sign_in(outsider, make_user(Role.RESIDENT, building="9号楼"))
    url = f"/requests/similar?category={categories['clutter'].id}&building=5号楼"
    fragment = outsider.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert item.ref in fragment and "5号楼" in fragment  # the public summary
    assert "沙发" not in fragment and "702" not in fragment  # never the private details


def test_no_js_check_for_similar_keeps_the_form(app, make_user, file_request, categories):
    owner = make_user(Role.RESIDENT)
    item = file_request(owner, "clutter")
    client = app.test_client()
    sign_in(client, make_user(Role.RESIDENT))
    response = client.post("/requests/new", data={
        **form_of(client), "category": categories["clutter"].id, "building": "3号楼",
        "check_similar": "1", "description": "三楼"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and item.ref in html and "三楼" in html
    assert "error-summary" not in html


def test_other_residents_get_404(app, resident, make_user, file_request, csrf):
    item = file_request(resident)
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.RESIDENT, building="9号楼"))
    assert stranger.get(f"/requests/{item.ref}").status_code == 404
    token = csrf(stranger, "/requests/new")
    assert stranger.post(f"/requests/{item.ref}/rate", data={"csrf_token": token,
                                                             "level": 5}).status_code == 404
    assert stranger.post(f"/requests/{item.ref}/withdraw",
                         data={"csrf_token": token}).status_code == 404
    assert stranger.post("/requests/R20991231-9999/follow",
                         data={"csrf_token": token}).status_code == 404


def test_withdraw_and_rate(app, db, resident, resident_client, make_user, file_request, csrf):
    item = file_request(resident)
    token = csrf(resident_client, f"/requests/{item.ref}")
    assert resident_client.post(f"/requests/{item.ref}/withdraw",
                                data={"csrf_token": token}).status_code == 303
    db.refresh(item)
    assert item.status == s.WITHDRAWN
    staff = make_user(Role.GRID_WORKER)
    done = file_request(resident)
    with app.app_context():
        s.transition(db, done, s.ACCEPTED, staff)
        s.transition(db, done, s.RESOLVED, staff)
    db.commit()
    page = resident_client.get(f"/requests/{done.ref}").get_data(as_text=True)
    assert 'name="level"' in page
    bad = resident_client.post(f"/requests/{done.ref}/rate", data={"csrf_token": token})
    assert bad.status_code == 422
    response = resident_client.post(f"/requests/{done.ref}/rate",
                                    data={"csrf_token": token, "level": 2, "comment": "没修好"})
    assert response.status_code == 303
    db.refresh(done)
    assert (done.status, done.flagged, done.rating) == (s.IN_PROGRESS, True, 2)


def test_opening_an_old_resolved_request_closes_it(app, db, resident, resident_client,
                                                   make_user, file_request):
    from datetime import timedelta

    from portal.clock import utcnow

    staff = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    with app.app_context():
        s.transition(db, item, s.ACCEPTED, staff)
        s.transition(db, item, s.RESOLVED, staff, now=utcnow() - timedelta(days=8))
    db.commit()
    html = resident_client.get(f"/requests/{item.ref}").get_data(as_text=True)
    db.refresh(item)
    assert item.status == s.CLOSED and 'name="level"' not in html


def test_resident_list_runs_a_fixed_number_of_queries(app, db, resident, resident_client,
                                                      make_user, file_request, count_queries):
    other = make_user(Role.RESIDENT)

    def measure():
        resident_client.get("/requests/")  # warm up the session
        with count_queries() as log:
            response = resident_client.get("/requests/?page=2")
        assert response.status_code == 200
        return log.count

    for _ in range(30):
        file_request(resident)
    few = measure()
    followed = file_request(other)
    with app.app_context():
        s.follow(db, resident, followed)
    db.commit()
    for _ in range(270):
        file_request(resident)
    assert measure() == few <= 10
