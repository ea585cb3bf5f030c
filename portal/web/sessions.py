"""The session cookie: signed as Flask signs it, but written only when it has news.

Flask rewrites a permanent session's cookie on every response, so each page of a resident
who ticked "keep me signed in" carried a fresh ``Set-Cookie``. Here the cookie is renewed
at most once an hour; its lifetime still slides, an hour at a time. The server-side limit
on a sign-in (``accounts.service.load_session_user``) does not depend on the cookie at all.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER_SECONDS = 3600


class PortalSession(SecureCookieSession):
    issued_at: float | None = None  # when the cookie that carried it was signed


class PortalSessionInterface(SecureCookieSessionInterface):
    session_class = PortalSession

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        # Building the serializer derives its keys; the keys only change with the config.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None and app.secret_key:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> PortalSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, issued = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.issued_at = issued.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: PortalSession) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        return session.issued_at is None or time.time() - session.issued_at > (
            REFRESH_AFTER_SECONDS)


def init_app(app: Flask) -> None:
    app.session_interface = PortalSessionInterface()
