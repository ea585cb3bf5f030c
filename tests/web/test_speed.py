"""What keeps every answer cheap and light (issue 14): static files cached for good and served
without session work, compressed pages, a session cookie written only when it has news, a
signed-in request that loads nobody it does not need, and faster i18n with the same output.
Speed itself is measured by scripts/bench.py, never here."""

from __future__ import annotations

import gzip
import random
import re
from datetime import UTC, datetime, timedelta

import brotli
from flask_babel import force_locale, format_datetime

from portal.accounts.roles import Role
from portal.web.i18n import format_local_datetime

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_static_urls_carry_the_content_hash_and_are_immutable(client, resident_client):
    html = resident_client.get("/").get_data(as_text=True)
    urls = _static_urls(html)
    assert len(urls) >= 4 and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls)
    for url in urls:
        response = resident_client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # No session, user or CSP work on a static file, so none of their headers either.
        for header in ("Set-Cookie", "Content-Security-Policy"):
            assert header not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_static_file_at_an_old_or_no_hash_is_revalidated(client):
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/portal.css?v=000000000000").headers[
        "Cache-Control"] == "no-cache"
    again = client.get("/static/css/portal.css",
                       headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_static_files_are_compressed_once_and_identical_when_unpacked(client):
    raw = client.get("/static/vendor/htmx/htmx.min.js").data
    packed = client.get("/static/vendor/htmx/htmx.min.js",
                        headers={"Accept-Encoding": BROWSER_ENCODINGS})
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == raw and len(packed.data) < len(raw) / 2
    zipped = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == client.get("/static/css/portal.css").data
    assert "Accept-Encoding" in zipped.headers["Vary"]


def test_static_paths_outside_the_folder_or_missing_get_the_404_page(client):
    assert client.get("/static/../portal/config.py").status_code == 404
    assert client.get("/static/nothing-here.css").status_code == 404


def test_pages_are_compressed_for_browsers_that_take_it(client):
    response = client.get("/auth/login", headers={"Accept-Encoding": BROWSER_ENCODINGS})
    assert response.headers["Content-Encoding"] == "br"
    assert "<html" in brotli.decompress(response.data).decode()
    assert "Content-Encoding" not in client.get("/auth/login").headers


def test_every_script_is_deferred(client):
    html = client.get("/auth/login").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" defer" in tag for tag in scripts)
    board = client.get("/board").get_data(as_text=True)
    assert all(" defer" in tag for tag in re.findall(r"<script[^>]*>", board))


def test_a_kept_sign_in_is_not_rewritten_on_every_answer(app, make_user):
    client = app.test_client()
    resident = make_user(Role.RESIDENT)
    with client.session_transaction() as session:
        session["_user_id"] = resident.get_id()
        session["_fresh"] = True
        session.permanent = True  # "keep me signed in"
    client.get("/account")  # the first page adds its CSRF token: a real change, written
    again = client.get("/account")
    assert again.status_code == 200
    assert "Set-Cookie" not in again.headers  # the cookie was signed moments ago


def test_signed_in_healthz_loads_nobody_and_stays_unstored(resident_client, count_queries):
    resident_client.get("/healthz")
    with count_queries() as log:
        response = resident_client.get("/healthz")
    assert response.status_code == 200 and log.count == 1  # its own SELECT 1, no user
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


def test_a_staff_page_loads_the_user_and_their_grants_in_one_statement(staff_client,
                                                                       count_queries):
    client = staff_client(Role.GRID_WORKER)
    with count_queries() as log:
        client.get("/healthz")  # warm nothing: each request loads afresh
        client.get("/staff/")
    user_loads = [s for s in log.statements if 'FROM "user"' in s or "FROM user " in s]
    assert len(user_loads) == 1 and "user_grant" in user_loads[0]


def test_no_limiter_hook_runs_where_no_limit_applies(app):
    from portal.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]


def test_the_datetime_filter_shows_what_babel_shows(app):
    rng = random.Random(14)
    moments = [datetime(1985, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 2**30))
               for _ in range(400)]
    with app.test_request_context("/"):
        for locale in ("zh_Hans_CN", "en"):
            with force_locale(locale):
                for fmt in ("short", "medium"):
                    for moment in moments:
                        assert format_local_datetime(moment, fmt) == format_datetime(moment,
                                                                                     fmt)


# The macro every request page used before the tags were built once per language.
OLD_STATUS_TAG = """{% macro status_tag(status) -%}
  {%- set kind = {'submitted': '', 'accepted': '', 'in_progress': 'tag-warn', 'resolved': 'tag-ok',
                  'closed': 'tag-muted', 'rejected': 'tag-muted', 'duplicate': 'tag-muted',
                  'transferred': 'tag-muted', 'withdrawn': 'tag-muted',
                  'with_street': 'tag-warn'}[status] -%}
  <span class="tag {{ kind }}">{{ request_status_labels[status] }}</span>
{%- endmacro %}<p>{{ status_tag(status) }}</p>"""
NEW_STATUS_TAG = """{% from "service_requests/_macros.html" import status_tag %}\
<p>{{ status_tag(status) }}</p>"""


def test_status_tags_are_the_markup_the_macro_made(app):
    from portal.service_requests import service

    old = app.jinja_env.from_string(OLD_STATUS_TAG)
    new = app.jinja_env.from_string(NEW_STATUS_TAG)
    for locale in ("zh_Hans_CN", "en"):
        with app.test_request_context("/"), force_locale(locale):
            for status in service.STATUS_LABELS:
                assert new.render(status=status) == old.render(status=status)


def test_an_answer_without_scripts_gets_the_policy_without_a_nonce(client):
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "nonce" not in policy
    assert "'nonce-" in client.get("/auth/login").headers["Content-Security-Policy"]
