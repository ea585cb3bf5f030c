"""Locale choice, error pages, the htmx fragment rule and the health check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]


def test_chinese_by_default_and_html_lang(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in html
    assert "居委会，就在您手机上" in html


def test_accept_language_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Your community office, on your phone" in html


def test_cookie_beats_accept_language_and_saved_choice_beats_cookie(app, client, resident, db):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 303
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in html

    resident.locale = "zh_Hans_CN"
    db.commit()
    from tests.conftest import sign_in

    sign_in(client, resident)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in html


def test_language_switch_saves_the_users_choice(resident_client, resident, db):
    token = csrf_token(resident_client, "/account")
    resident_client.post("/language", data={"csrf_token": token, "lang": "en",
                                            "next": "/account"})
    db.refresh(resident)
    assert resident.locale == "en"


def test_language_switch_refuses_other_sites(client):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "lang": "en",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_error_pages_are_localized_in_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "找不到这个页面" in html and 'class="site-header"' in html
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in english.get_data(as_text=True)


def test_403_page(resident_client):
    response = resident_client.get("/staff/users")
    assert response.status_code == 403
    assert "您无权打开这个页面" in response.get_data(as_text=True)


def test_500_page_is_friendly(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("deliberate")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "系统出了点问题" in response.get_data(as_text=True)


def test_fragment_for_htmx_partial_page_for_boosted(staff_client):
    director = staff_client("director")
    full = director.get("/staff/users")
    partial = director.get("/staff/users", headers={"HX-Request": "true",
                                                    "HX-Request-Type": "partial"})
    boosted = director.get("/staff/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    assert 'id="staff-users"' in partial.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "uploads": "ok",
                             "rate_limits": "ok"}


def test_healthz_reports_a_broken_database(make_app):
    from portal.db import make_engine

    app = make_app()
    working = app.extensions["db_engine"]
    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app.extensions["db_sessionmaker"].configure(bind=broken)
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["db_sessionmaker"].configure(bind=working)
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_every_message_has_a_chinese_translation(tmp_path):
    """Fails when a string in the code or templates has no Chinese translation."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, "untranslated:\n" + result.stdout
    sys.path.insert(0, str(ROOT / "scripts"))
    from i18n import extract

    # A message is its text and its context: "Home" on a form is not "Home" in the menu.
    source = {(message.context, message.id) for message in extract(tmp_path / "messages.pot")
              if message.id}
    with (ROOT / "translations/zh_Hans_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {(message.context, message.id) for message in read_po(handle)
                      if message.id and message.string}
    missing = source - translated
    assert not missing, ("run `python scripts/i18n.py update` and translate: "
                         + ", ".join(sorted(map(str, missing))))
    assert any(context for context, _id in source), "no message with a context was extracted"
