"""What the pages keep between requests to render faster (issue 14), and that what they show
stays each viewer's own: the menu per language and permissions, the row links built from one
URL, the static files' hashes, Flask-Babel's state found directly. Speed itself is measured
by scripts/bench.py, never here."""

from __future__ import annotations

import re

import flask_babel
from flask import g, url_for
from flask_babel import force_locale, get_locale

from portal.accounts.models import UserGrant
from portal.accounts.roles import Permission, Role
from portal.web import assets, catalogue
from portal.web.layout import url_template


def _menu(client, language: str = "zh-CN") -> list[str]:
    html = client.get("/staff/", headers={"Accept-Language": language}).get_data(as_text=True)
    nav = re.search(r'<nav class="site-nav.*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]+)"', nav)


def test_each_role_gets_its_own_menu_whoever_asked_first(staff_client):
    culture = staff_client(Role.CULTURE)
    director = staff_client(Role.DIRECTOR)
    first = _menu(culture)
    assert "/staff/activities" in first and "/staff/queue" not in first
    everything = _menu(director)
    assert {"/staff/queue", "/staff/users", "/staff/figures"} <= set(everything)
    assert _menu(culture) == first  # the director's menu was kept, not handed on


def test_a_grant_changes_the_menu_on_the_next_page(staff_client, db):
    culture = staff_client(Role.CULTURE)
    assert "/staff/figures" not in _menu(culture)
    db.add(UserGrant(user_id=culture.user.id, permission=Permission.VIEW_FIGURES.value))
    db.commit()
    assert "/staff/figures" in _menu(culture)


def test_the_menu_speaks_the_language_of_the_page(staff_client):
    client = staff_client(Role.DIRECTOR)
    chinese = client.get("/staff/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    english = client.get("/staff/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">概览<" in chinese and ">Overview<" not in chinese
    assert ">Overview<" in english and ">概览<" not in english
    again = client.get("/staff/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert ">概览<" in again


def test_a_url_template_gives_what_url_for_gives(app):
    with app.test_request_context("/"):
        detail = url_template("staff_requests.detail", "ref")
        for value in ("R20261129-0007", "x", "a b", "楼道", "a/b", "50%", "?q=1"):
            assert detail(value) == url_for("staff_requests.detail", ref=value)
    with app.test_request_context("/", base_url="http://localhost/linli/"):
        assert url_template("staff_requests.detail", "ref")("R1") == "/linli/staff/requests/R1"


def test_a_static_file_changed_on_disk_gets_its_new_hash(app, tmp_path, monkeypatch):
    (tmp_path / "x.css").write_text("a { color: red }")
    static = assets.StaticFiles(app.wsgi_app, str(tmp_path), "/static")
    first = static.version("x.css")
    (tmp_path / "x.css").write_text("a { color: blue; }")
    assert static.version("x.css") == first  # asked again within the second: as it was
    monkeypatch.setattr(assets, "VERSION_RECHECK_SECONDS", 0)
    assert static.version("x.css") not in (None, first)


def test_flask_babel_finds_the_same_state_as_before(app):
    assert flask_babel._get_current_context is catalogue._babel_state
    assert catalogue._babel_state() is None  # outside any app context, as Flask-Babel said
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(get_locale()) == "en"
        assert g._flask_babel.babel_locale is get_locale()
        with force_locale("zh_Hans_CN"):
            assert str(get_locale()) == "zh_Hans_CN"
            assert flask_babel.gettext("Overview") == "概览"
        assert str(get_locale()) == "en" and flask_babel.gettext("Overview") == "Overview"
