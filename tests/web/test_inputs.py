"""Findings 5 and 11 of issue 12, attack by attack: the input layer, and HSTS.

The fuzz test (test_fuzz.py) keeps the whole surface covered; these pin the exact
reproductions the outside test reported.
"""

from __future__ import annotations

from portal.web.inputs import INT_MAX, bounded_int
from tests.conftest import TEST_PASSWORD, csrf_token


def test_an_impossible_id_in_a_path_is_a_404_on_both_databases(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = True  # a database error would raise, not hide
    for path in ("/activities/2147483648", "/activities/9223372036854775808",
                 "/activities/99999999999999999999999", "/minutes/2147483648/versions/1",
                 "/staff/users/2147483648"):  # no such URL: the bounded converter refuses it
        assert client.get(path).status_code == 404, path
    assert client.get(f"/activities/{INT_MAX}").status_code == 404  # the largest is fine


def test_the_bounded_parser():
    assert bounded_int("42") == 42 and bounded_int(" 7 ") == 7
    for raw in ("2147483648", "9223372036854775808", "-1", "1e3", "0x10", "１２", "", None,
                "9" * 5000, "4\x002"):
        assert bounded_int(raw) is None, raw
    assert bounded_int("-5", minimum=-10) == -5


def test_page_numbers_use_it(staff_client):
    director = staff_client("director")
    assert director.get("/staff/users?page=99999999999999999999999").status_code == 200
    assert director.get("/staff/users?page=-3").status_code == 200


def test_nul_never_reaches_the_database(app, resident_client, resident, db):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    assert resident_client.get("/minutes/?q=%00").status_code == 200
    token = csrf_token(resident_client, "/account")
    response = resident_client.post("/account", data={
        "csrf_token": token, "name": "张\x00秀\x1b英", "building": "5号楼\x00", "unit": "",
        "room": ""})
    assert response.status_code == 303
    db.refresh(resident)
    assert (resident.name, resident.building) == ("张秀英", "5号楼")


def test_line_breaks_and_tabs_are_ordinary_text(app):
    from flask import request

    with app.test_request_context("/?q=a%09b", method="POST",
                                  data={"text": "line one\r\nline two\x00", "n\x00ame": "x"}):
        assert request.args["q"] == "a\tb"
        assert request.form["text"] == "line one\r\nline two"
        assert request.form["name"] == "x"


def test_invalid_utf8_in_a_form_is_not_an_error(app, resident_client, resident, db):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    token = csrf_token(resident_client, "/account")
    response = resident_client.post(
        "/account", data=f"csrf_token={token}&name=%ff%fe%ed%a0%80".encode(),
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    db.refresh(resident)
    assert resident.name.encode("utf-8")  # saved as text that is valid UTF-8, no surrogates


def test_a_file_field_sent_as_text(app, resident_client):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    token = csrf_token(resident_client, "/requests/new")
    response = resident_client.post("/requests/new", data={
        "csrf_token": token, "photos": "not a file", "description": "楼道灯坏了好几天了"})
    assert response.status_code == 422


def test_a_huge_number_in_a_form_is_refused_with_a_message(app):
    """Any WTForms integer field gets the bound through portal.web.forms.Form."""
    from wtforms import IntegerField

    from portal.web.forms import Form

    class Seats(Form):
        seats = IntegerField("Seats")

    with app.test_request_context(method="POST", data={"seats": "2147483648"}):
        form = Seats(meta={"csrf": False})
        assert not form.validate()
        assert "太大" in form.seats.errors[0]


def test_a_huge_choice_in_a_form_is_no_choice(app, resident_client):
    """A choice field coerced to int (the request category) takes no number a database
    can't hold: the similar-request hint once sent 10^40 to PostgreSQL (a fuzz find)."""
    app.config["PROPAGATE_EXCEPTIONS"] = True
    token = csrf_token(resident_client, "/requests/new")
    response = resident_client.post("/requests/new", data={
        "csrf_token": token, "category": "-237328793006355224418216332563213975552",
        "building": "3号楼", "location": "2单元", "description": "楼道灯坏了好几天了"})
    assert response.status_code == 422
    assert "楼道灯坏了好几天了" in response.get_data(as_text=True)


def test_cr_lf_in_next_on_sign_in_is_safe(client, resident):
    token = csrf_token(client)
    response = client.post("/auth/login?next=/account%0d%0aSet-Cookie:%20evil=1", data={
        "csrf_token": token, "phone": resident.phone, "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "evil" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert client.get("/account").status_code == 200  # signed in, and no error page


def test_cr_lf_in_next_on_the_language_switch_is_safe(client, db):
    token = csrf_token(client, "/")
    response = client.post("/language", data={
        "csrf_token": token, "lang": "en", "next": "/notices/\r\nSet-Cookie: evil=1"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get_cookie("lang").value == "en"


def test_a_control_character_in_a_path_is_a_404(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    assert client.get("/requests/R2026%00").status_code == 404
    assert client.get("/aid/types/di%00bao").status_code == 404
    assert client.get("/files/abc%0d%0a").status_code == 404


def test_hsts_outside_development_mode(make_app):
    production = make_app(DEVELOPMENT=False)
    for path in ("/", "/auth/login", "/no-such-page", "/healthz"):
        header = production.test_client().get(path).headers.get("Strict-Transport-Security")
        assert header == "max-age=31536000", path


def test_no_hsts_in_development_mode(make_app):
    development = make_app(DEVELOPMENT=True)
    assert "Strict-Transport-Security" not in development.test_client().get("/").headers


def test_hsts_can_be_turned_off_for_a_plain_http_set_up(make_app):
    plain = make_app(DEVELOPMENT=False, HSTS_MAX_AGE=0)
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers

