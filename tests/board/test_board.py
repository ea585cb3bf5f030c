"""The public board: no login, no personal data, ETag/304 that follows every change, a fixed
query budget, and profiles that choose sections and a building."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from portal.board.models import BoardProfile
from portal.clock import FixedClock, utcnow
from portal.files.service import store_upload
from portal.notifications.service import notify
from tests.board.sections import ALERT_LIFETIME

HX = {"HX-Request": "true"}


def add_profile(db, slug, name, building=None, sections=(), **fields):
    profile = BoardProfile(slug=slug, name=name, building=building, sections=list(sections),
                           **fields)
    db.add(profile)
    db.commit()
    return profile


def poll(client, etag=None, path="/board/content"):
    headers = dict(HX)
    if etag:
        headers["If-None-Match"] = etag
    return client.get(path, headers=headers)


def sections_shown(html):
    return re.findall(r'class="board-section board-section-(\w+)"', html)


# --- public access and caching headers ------------------------------------------------------

@pytest.mark.parametrize("path", ["/board", "/board/content"])
def test_board_is_public_and_cacheable_as_public_content(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["ETag"].startswith('W/"')
    assert "HX-Request" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers
    assert "<html" in response.get_data(as_text=True)  # a plain request gets the whole page


def test_content_poll_gets_only_the_fragment(client, db):
    add_profile(db, "lobby", "Lobby screen")
    html = poll(client).get_data(as_text=True)
    assert "<html" not in html
    assert "Lobby screen" in html


def test_board_page_has_the_polling_element_with_nonce_and_no_inline_styles(client):
    response = client.get("/board")
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'hx-nonce="{nonce}"' in html
    assert 'hx-status:5xx="swap:none"' in html and 'hx-trigger="boardpoll"' in html
    assert re.search(rf'src="/static/js/board.js\?v=[0-9a-f]{{12}}" nonce="{nonce}"', html)
    assert "style=" not in html
    etag = poll(client).headers["ETag"]
    assert f'data-etag="{etag[3:-1]}"' in html  # the first poll can already get a 304


def test_page_revalidation_keeps_the_nonce_of_the_cached_page(client):
    first = client.get("/board")
    again = client.get("/board", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert (again.headers["Content-Security-Policy"]
            == first.headers["Content-Security-Policy"])


def test_signed_in_staff_viewing_the_board_is_never_stored(staff_client):
    response = staff_client().get("/board")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# --- no personal data -------------------------------------------------------------------------

def _png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename="王秀英-身份证.png", content_type="image/png")


def test_no_personal_data_on_the_board(app, client, db, make_user):
    residents = [make_user(name=name, phone=phone, building="7号楼", unit="3单元", room=room)
                 for name, phone, room in [("王秀英", "13912345678", "1203"),
                                           ("李建国", "13800001111", "604")]]
    with app.app_context():
        for resident in residents:
            notify(db, resident.id, "Your request %(ref)s was accepted.",
                   ref="R20261129-0007", link="/requests/R20261129-0007")
        stored = store_upload(db, _png_upload(), owner_id=residents[0].id, area="requests")
        db.commit()
    add_profile(db, "lobby", "Lobby screen", building="7号楼")

    private = ["王秀英", "李建国", "13912345678", "13800001111", "1203", "3单元", "R20261129",
               stored.token, "身份证"]
    private += [resident.address for resident in residents]
    for path in ["/board", "/board/content", "/board?profile=lobby", "/board/content?lang=en"]:
        for headers in ({}, HX):
            html = client.get(path, headers=headers).get_data(as_text=True)
            assert "residents" in html  # the sections did render: the check means something
            leaked = [value for value in private if value in html]
            assert not leaked, f"{path} shows {leaked}"


# --- ETag and 304 -----------------------------------------------------------------------------

def test_unchanged_content_gives_304_with_no_body(client, db):
    add_profile(db, "lobby", "Lobby screen")
    first = poll(client)
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert poll(client, 'W/"something-else"').status_code == 200


def test_a_new_item_changes_the_etag(client, db):
    first = poll(client)
    add_profile(db, "lobby", "Lobby screen")
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "Lobby screen" in second.get_data(as_text=True)


def test_an_edited_item_changes_the_etag(client, db):
    profile = add_profile(db, "lobby", "Lobby screen")
    first = poll(client)
    profile.name = "Lobby, renamed"
    db.commit()
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 200
    assert "Lobby, renamed" in second.get_data(as_text=True)


def test_a_new_alert_changes_the_etag_and_shows_first_as_a_banner(client, db):
    add_profile(db, "lobby", "Lobby screen")
    first = poll(client)
    add_profile(db, "alert-water", "Water off 14:00–16:00")
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert html.index("board-alert-red") < html.index("Lobby screen")
    assert '<div class="board-alerts">' in html


def test_an_expiring_alert_changes_the_etag(app, client, db):
    # Created so that it expires a second from now; nothing in the database changes.
    clock = app.extensions["clock"] = FixedClock(utcnow())
    add_profile(db, "alert-gas", "Gas check", created_at=clock() - ALERT_LIFETIME
                + timedelta(seconds=1))
    first = poll(client)
    assert "Gas check" in first.get_data(as_text=True)
    clock.advance(milliseconds=999)
    assert poll(client, first.headers["ETag"]).status_code == 304
    clock.advance(milliseconds=2)
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 200
    assert "Gas check" not in second.get_data(as_text=True)


def test_a_changed_count_changes_the_etag(client, make_user):
    # As a sign-up changes the seats left: an aggregate the board shows moves.
    first = poll(client)
    assert "<dd>0</dd>" in first.get_data(as_text=True)
    make_user()
    second = poll(client, first.headers["ETag"])
    assert second.status_code == 200
    assert "<dd>1</dd>" in second.get_data(as_text=True)


def test_language_and_variant_have_their_own_etags(client):
    chinese, english = poll(client), poll(client, path="/board/content?lang=en")
    page = client.get("/board")
    assert len({chinese.headers["ETag"], english.headers["ETag"], page.headers["ETag"]}) == 3
    assert poll(client, chinese.headers["ETag"], "/board/content?lang=en").status_code == 200


def test_editing_the_profile_changes_its_boards_etag(client, db):
    profile = add_profile(db, "lobby", "Lobby screen", sections=["notices", "figures"])
    first = poll(client, path="/board/content?profile=lobby")
    profile.sections = ["figures"]
    db.commit()
    second = poll(client, first.headers["ETag"], "/board/content?profile=lobby")
    assert second.status_code == 200
    assert sections_shown(second.get_data(as_text=True)) == ["figures"]


# --- query budget ------------------------------------------------------------------------------

def test_a_304_runs_at_most_two_queries(client, db, count_queries):
    add_profile(db, "lobby", "Lobby screen")
    for path, budget in [("/board/content", 1), ("/board/content?profile=lobby", 2),
                         ("/board", 1)]:
        etag = poll(client, path=path).headers["ETag"]
        with count_queries() as log:
            response = poll(client, etag, path)
        assert response.status_code == 304
        assert log.count <= budget, (path, log.statements)


def test_content_keeps_a_fixed_query_budget(client, db, make_user, count_queries):
    def measure():
        with count_queries() as log:
            response = poll(client, path="/board/content?profile=lobby")
        assert response.status_code == 200
        return log.count

    add_profile(db, "lobby", "Lobby screen")
    few = measure()
    for number in range(40):
        add_profile(db, f"screen-{number}", f"Screen {number}")
        add_profile(db, f"alert-{number}", f"Alert {number}")
    for _ in range(10):
        make_user()
    assert measure() == few
    # the profile, one fingerprint statement, one load per section (alerts, notices, figures)
    assert few == 5


# --- sections and profiles ------------------------------------------------------------------

def test_sections_not_registered_simply_dont_appear(bare_app):
    client = bare_app.test_client()
    html = client.get("/board").get_data(as_text=True)
    assert sections_shown(html) == []
    assert "board-empty" in html
    assert poll(client, poll(client).headers["ETag"]).status_code == 304


def test_a_profile_chooses_sections_and_the_board_keeps_alerts_first(client, db):
    add_profile(db, "lobby", "Lobby screen", sections=["figures", "notices", "minutes"])
    add_profile(db, "alert-lift", "Lift repair")
    html = client.get("/board?profile=lobby").get_data(as_text=True)
    assert sections_shown(html) == ["notices", "figures"]  # by order; "minutes" isn't here
    assert "Lift repair" not in html  # alerts not chosen for this screen

    add_profile(db, "hall", "Hall", sections=[])  # none ticked: every section
    html = client.get("/board?profile=hall").get_data(as_text=True)
    assert sections_shown(html) == ["notices", "figures"]
    assert html.index("Lift repair") < html.index("board-section-notices")


def test_a_profile_filters_by_building(client, db):
    add_profile(db, "b3", "Building 3 screen", building="3号楼")
    add_profile(db, "b5", "Building 5 screen", building="5号楼")
    add_profile(db, "all", "Community screen")
    html = poll(client, path="/board/content?profile=b3").get_data(as_text=True)
    assert "Building 3 screen" in html and "Community screen" in html
    assert "Building 5 screen" not in html
    assert "Building 5 screen" in poll(client).get_data(as_text=True)


def test_an_unknown_profile_is_not_found(client):
    assert client.get("/board?profile=nope").status_code == 404
    assert poll(client, path="/board/content?profile=nope").status_code == 404


def test_chinese_first_and_english_on_request(client):
    response = client.get("/board", headers={"Accept-Language": "en-GB,en"})
    assert '<html lang="zh-Hans-CN">' in response.get_data(as_text=True)
    html = client.get("/board?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Notice board" in html
    assert 'hx-get="/board/content?lang=en"' in html


def test_qr_codes_are_inline_svg_for_the_absolute_address(client, db):
    add_profile(db, "lobby", "Lobby screen")
    html = poll(client).get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'class="board-qr"' in svg and 'aria-hidden="true"' in svg and "viewBox" in svg
    assert "style" not in html

    import segno

    from portal.board.qr import _svg
    expected = _svg("http://localhost/board?profile=lobby")
    assert expected.split(">", 1)[1] in html  # the same matrix as segno makes for that URL
    assert segno.make("http://localhost/board?profile=lobby", error="m").version >= 1


def test_a_new_board_version_changes_the_etag_and_is_announced(app, client):
    page = client.get("/board")
    version = page.headers["X-Board-Version"]
    assert f'data-board-version="{version}"' in page.get_data(as_text=True)
    etag = poll(client).headers["ETag"]
    app.extensions["board_code_version"] = "deployed-again"  # as after a deploy
    response = poll(client, etag)
    assert response.status_code == 200
    assert response.headers["X-Board-Version"] == "deployed-again"
