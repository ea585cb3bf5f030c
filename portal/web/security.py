"""Security headers on every response: a nonce-based CSP and friends."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from flask_login import current_user
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


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def development_mode(app: Flask) -> bool:
    return bool(app.debug or app.config.get("DEVELOPMENT"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(csp_nonce=csp_nonce, hx_nonce=hx_nonce, csrf_field=csrf_field)
    # Outside development the portal is only ever reached over HTTPS (the proxy redirects
    # plain HTTP); HSTS tells browsers never to try plain HTTP again.
    hsts = None
    if not development_mode(app) and app.config["HSTS_MAX_AGE"]:
        hsts = f"max-age={int(app.config['HSTS_MAX_AGE'])}"

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            # Pages of a signed-in person carry personal data: never store them anywhere.
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
