"""Security headers on every response: a nonce-based CSP and friends."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def hx_nonce() -> Markup:
    """The attribute htmx's CSP extension needs on every element that makes a request."""
    return Markup('hx-nonce="%s"') % csp_nonce()


def csrf_field(form=None, prefix: str = "") -> Markup:
    """The one way a template puts the CSRF token in a form; ``form`` or ``prefix`` for a
    WTForms form built with a prefix (its token field is then named ``<prefix>csrf_token``).
    Nothing when CSRF is switched off (WTF_CSRF_ENABLED False): such a form has no token
    field to name."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    if form is not None:
        token = getattr(form, "csrf_token", None)
        name = token.name if token is not None else f"{form._prefix}csrf_token"
    else:
        name = f"{prefix}csrf_token"
    return Markup('<input type="hidden" name="%s" value="%s">') % (escape(name),
                                                                  generate_csrf())


_CSP_BEFORE_NONCE = "default-src 'self'; script-src 'self' 'nonce-"
_CSP_AFTER_NONCE = "'; " + "; ".join([
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


_CSP_WITHOUT_NONCE = _CSP_BEFORE_NONCE[:-len(" 'nonce-")] + _CSP_AFTER_NONCE[1:]


def content_security_policy(nonce: str | None) -> str:
    """The policy; an answer that never asked for a nonce (JSON, a redirect, a 304) gets
    none, which allows strictly less."""
    if nonce is None:
        return _CSP_WITHOUT_NONCE
    return _CSP_BEFORE_NONCE + nonce + _CSP_AFTER_NONCE


def signed_in() -> bool:
    """Whether this answer is for a signed-in person, without loading them for it.

    A page that showed the user has loaded them already; otherwise a session or remember-me
    cookie that names someone is enough to treat the answer as personal."""
    user = g.get("_login_user")
    if user is not None:
        return user.is_authenticated
    return "_user_id" in session or (
        current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies)


def development_mode(app: Flask) -> bool:
    return bool(app.debug or app.config.get("DEVELOPMENT"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(csp_nonce=csp_nonce, hx_nonce=hx_nonce, csrf_field=csrf_field)
    # Outside development the portal is only ever reached over HTTPS (the proxy redirects
    # plain HTTP); HSTS tells browsers never to try plain HTTP again.
    hsts = None
    if not development_mode(app) and app.config["HSTS_MAX_AGE"]:
        hsts = f"max-age={int(app.config['HSTS_MAX_AGE'])}"

    fixed = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
             ("X-Frame-Options", "DENY"),
             ("Permissions-Policy", "geolocation=(), microphone=()")]
    if hsts:
        fixed.append(("Strict-Transport-Security", hsts))

    @app.after_request
    def set_security_headers(response):
        # One pass over the headers already set, then plain appends: a setdefault per header
        # scanned the list twice each time, a tenth of a signed-in request that renders nothing.
        headers = response.headers
        present = {key.lower() for key, _value in headers.items()}
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
        for name, value in fixed:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint != "static" and signed_in():
            # Pages of a signed-in person carry personal data: never store them anywhere.
            headers["Cache-Control"] = "no-store"
            vary = headers.get("Vary")
            if not vary:
                headers["Vary"] = "Cookie"
            elif "cookie" not in {part.strip().lower() for part in vary.split(",")}:
                headers["Vary"] = f"{vary}, Cookie"
        return response
