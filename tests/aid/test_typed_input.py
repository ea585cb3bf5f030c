"""Issue 17: the aid forms take full-width digits, a lower-case or full-width x and Chinese
punctuation in ID numbers, phone numbers and amounts, as a Chinese input method types them."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.idnumber import check_digit
from portal.aid.models import AidApplication
from tests.conftest import csrf_token

FULL = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def _post(client, path, data, token_page=None):
    return client.post(path, data={"csrf_token": csrf_token(client, token_page or path), **data})


def _draft(client) -> str:
    response = _post(client, "/aid/new", {"aid_type": "dibao", "kind": "", "start_key": "k"})
    assert response.status_code == 303
    return response.headers["Location"].removesuffix("/applicant")  # starting opens part one


def test_applicant_member_and_income_as_typed(app, db, types, resident_client):
    base = _draft(resident_client)
    response = _post(resident_client, base + "/applicant", {
        "name": "张三丰", "id_number": "１１０１０５ １９４９１２３１ ００２ｘ",
        "phone": "＋８６ １３８－００１３－８０００"})
    assert response.status_code == 303, response.get_data(as_text=True)
    application = db.scalar(select(AidApplication))
    with app.app_context():
        assert service.reveal_ids(application)["applicant"] == "11010519491231002X"
    assert application.phone == "13800138000"

    first17 = "11010520100101001"
    child = (first17 + check_digit(first17)).translate(FULL)
    response = _post(resident_client, base + "/household/members", {
        "member_name": "张小", "relation": "child", "member_id_number": child,
        "status": "student"}, token_page=base + "/household")
    assert response.status_code == 303, response.get_data(as_text=True)
    _post(resident_client, base + "/household/done", {}, token_page=base + "/household")

    db.refresh(application)
    member = application.members[0].id
    response = _post(resident_client, base + "/income", {
        "applicant_income": "１，２３４。５ 元", f"member_{member}": "０", "housing": "rent",
        "vehicles": "０", "savings": "￥５０００", "circumstances": ""})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.refresh(application)
    assert (application.income_fen, application.savings_fen, application.vehicles) \
        == (123450, 500000, 0)


def test_staff_search_takes_a_full_width_id_number(app, db, build_application, make_user,
                                                   staff_client):
    application = build_application(make_user(Role.RESIDENT), stage="submitted")
    with app.app_context():
        child = service.reveal_ids(application)[application.members[0].id]
    client = staff_client(Role.CIVIL_AFFAIRS)
    response = client.post("/staff/aid/search", data={
        "csrf_token": csrf_token(client, "/staff/aid"),
        "id_number": re.sub(r"(\d{6})(\d{8})", r"\1 \2－", child.translate(FULL))})
    assert response.status_code == 200
    assert application.ref in response.get_data(as_text=True)


def test_the_applicant_is_told_which_aid_in_their_language(app, db, build_application,
                                                           make_user):
    from flask_babel import force_locale

    from portal.notifications.models import Notification
    from portal.notifications.service import render_text

    application = build_application(make_user(Role.RESIDENT), stage="submitted")
    note = db.scalar(select(Notification).order_by(Notification.id.desc()))
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            chinese = render_text(note.message, note.params)
        with force_locale("en"):
            english = render_text(note.message, note.params)
    assert chinese == f"我们已收到您的最低生活保障（低保）申请（{application.ref}）。"
    assert english == (f"We received your application for Minimum living allowance (dibao) "
                       f"({application.ref}).")
