"""Finding 7 of issue 12, the accounts part: no phone number in any URL the accounts pages
generate (links, form actions, htmx requests); phone numbers travel in POST bodies only.
(The staff ID search in the aid area and the scan of the suite's logs come later.)"""

from __future__ import annotations

import re

from portal.accounts.roles import Role
from tests.conftest import csrf_token
from tests.web.fuzzing import PageParser

PHONE = re.compile(r"1\d{10}")


def urls_on(client, path):
    page = PageParser(f"http://localhost{path}")
    page.feed(client.get(path).get_data(as_text=True))
    return page.links + [form.action for form in page.forms]


def test_accounts_pages_put_no_phone_in_a_url(app, client, staff_client, make_user, resident):
    director = staff_client(Role.DIRECTOR)
    worker = make_user(Role.GRID_WORKER)
    signed_in = app.test_client()
    signed_in.post("/auth/login", data={"csrf_token": csrf_token(signed_in),
                                        "phone": resident.phone, "password": "wrong one"})
    pages = [(client, "/auth/login"), (client, "/auth/register"), (signed_in, "/auth/login"),
             (director, "/staff/users"), (director, f"/staff/users/{worker.id}"),
             (director, "/staff/")]
    checked = 0
    for who, path in pages:
        for url in urls_on(who, path):
            assert not PHONE.search(url), (path, url)
            checked += 1
    assert checked > 20
