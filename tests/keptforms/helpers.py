"""Sending a form with no session (signed out, cookies cleared) and signing in again."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.conftest import TEST_PASSWORD

KEPT = "您已退出登录。请重新登录，刚才填写的内容已为您保存。"
SIGNED_OUT = "您已退出登录。请重新登录后再试一次。"
RESTORED = "这是您退出登录前填写的内容"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def post_signed_out(client, url, data, page=None, **kwargs):
    """The POST a browser sends when the session is gone: no session cookie, so no valid
    CSRF token either; the page that held the form as its Referer."""
    headers = {"Referer": f"http://localhost{page}"} if page else {}
    headers.update(kwargs.pop("headers", {}))
    return client.post(url, data=data, headers=headers, **kwargs)


def sign_in_page(client, response) -> tuple[str, str]:
    """Follow the answer to the sign-in page: (its html, the ?next= it carries)."""
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert urlsplit(location).path == "/auth/login"
    html = client.get(location).get_data(as_text=True)
    return html, parse_qs(urlsplit(location).query).get("next", [""])[0]


def sign_in(client, user, html: str, next_page: str = ""):
    token = _CSRF.search(html).group(1)
    query = f"?{urlencode({'next': next_page})}" if next_page else ""
    return client.post(f"/auth/login{query}", data={
        "csrf_token": token, "phone": user.phone, "password": TEST_PASSWORD})
