"""Real-browser fixtures: the portal served on a real port, the system Chromium through
Playwright, and an axe-core audit for every page a test visits.

Browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install chromium
fonts-noto-cjk). `scripts/test` installs both when it runs as root on Debian; elsewhere the
tests are skipped with a message that says so.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 390, "height": 844}
SKIP_MESSAGE = (f"browser tests need Chromium at {CHROMIUM}: run scripts/test as root on Debian "
                "(it installs the 'chromium' and 'fonts-noto-cjk' packages), or install them "
                "yourself, or point PORTAL_CHROMIUM at a Chromium binary")


def _wait_as_long_as_actions():
    """expect() waits 5 s by default, half of what actions wait (set_default_timeout below):
    on a shared 2-core machine a page that decodes a phone photo took longer than that."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


_wait_as_long_as_actions()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """The app on a real port in a thread; its requests run exactly as in production."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The run's app on a real port; stopped before the app is put back for the next test."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(SKIP_MESSAGE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page(locale="zh-CN", viewport=PHONE) -> a page in a fresh browser profile."""
    contexts = []

    def build(locale: str = "zh-CN", viewport: dict | None = None):
        context = chromium.new_context(locale=locale, viewport=viewport or PHONE,
                                       timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []

        def record(message):
            # A 4xx answer (422 form errors, 403, 404) is the app speaking, not a fault.
            expected = re.match(r"Failed to load resource: .* status of 4\d\d", message.text)
            if message.type == "error" and not expected:
                page.console_errors.append(message.text)

        page.on("console", record)
        return page

    yield build
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def audit(axe):
    """audit(page): fail on any axe-core violation, or any console error, on this page."""

    def check(page):
        page.wait_for_load_state("load")
        results = axe.run(page)
        violations = results.response["violations"]
        details = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} :: "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in violations
        )
        assert not violations, f"axe found problems on {page.url}:\n{details}"
        assert not page.console_errors, f"console errors on {page.url}: {page.console_errors}"

    return check


def menu_link(page, name: str, exact: bool = False):
    """A link of the staff menu, its group (a <details>: 发布, 设置与记录) opened first by a
    click on its summary, as a person would."""
    nav = page.locator(".site-nav")
    # Called right after a sign-in or a click, the page may still be the one before: wait for
    # the link to be in the page (a link in a closed group is there, only not shown).
    nav.locator("a", has_text=name).first.wait_for(state="attached")
    group = page.evaluate("""([name, exact]) => {
      for (const link of document.querySelectorAll('.site-nav details a')) {
        const text = link.textContent.trim();
        const details = link.closest('details');
        if ((exact ? text === name : text.includes(name)) && !details.open) {
          return details.querySelector('summary').textContent.trim();
        }
      }
      return null;
    }""", [name, exact])
    if group:
        nav.locator("summary", has_text=group).click()
    return nav.get_by_role("link", name=name, exact=exact).first
