"""Light on a slow phone network, in a real Chromium: a resident's first page load stays
under 35 KiB on the wire, and a repeat visit asks the server for no static file at all."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.accounts.roles import Role
from tests.browser.conftest import PHONE
from tests.conftest import TEST_PASSWORD

FIRST_LOAD_LIMIT = 35 * 1024


class Recorder:
    """WSGI middleware noting every path the server is asked for."""

    def __init__(self, app):
        self.app, self.paths = app, []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


def _signed_in_state(chromium, live_server, phone):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE,
                                   timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    state = context.storage_state()
    context.close()
    return state


def _bytes_on_the_wire(cdp) -> dict:
    """requestId -> bytes received (headers and body as sent, compressed or not)."""
    received = {}
    cdp.on("Network.loadingFinished",
           lambda event: received.__setitem__(event["requestId"], event["encodedDataLength"]))
    cdp.send("Network.enable")
    return received


def test_first_load_is_light_and_a_repeat_visit_fetches_no_static_file(
        live_server, chromium, make_user, audit):
    recorder = Recorder(live_server.app.wsgi_app)
    live_server.app.wsgi_app = recorder
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼")
    state = _signed_in_state(chromium, live_server, resident.phone)

    # A fresh browser cache, already signed in: the first visit to a resident page.
    context = chromium.new_context(locale="zh-CN", viewport=PHONE,
                                   timezone_id="Asia/Shanghai", storage_state=state)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error"
            and page.console_errors.append(message.text))
    received = _bytes_on_the_wire(context.new_cdp_session(page))
    recorder.paths.clear()
    page.goto(live_server.url + "/requests/", wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的诉求")
    page.wait_for_load_state("networkidle")
    total = sum(received.values())
    assert any(path.startswith("/static/") for path in recorder.paths)
    assert total <= FIRST_LOAD_LIMIT, (total, recorder.paths)

    # htmx still works with the deferred scripts: a boosted link swaps the page in place.
    page.evaluate("window.__same_document = true")
    page.get_by_role("link", name="活动", exact=True).click()
    expect(page).to_have_url(re.compile(r"/activities/"))
    assert page.evaluate("window.__same_document === true")
    audit(page)

    # A repeat visit, by full navigations: the static files come from the browser's cache
    # without even asking whether they changed.
    recorder.paths.clear()
    page.goto(live_server.url + "/activities/", wait_until="load")
    page.goto(live_server.url + "/requests/", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert "/requests/" in recorder.paths
    assert not [path for path in recorder.paths if path.startswith("/static/")], recorder.paths
    context.close()
