"""Forms kept for a sign-in: nothing typed is lost when the session has gone.

A POST that arrives signed out (the sign-in expired, the person signed out on
another phone, the cookies were cleared) is kept for a short while (KEPT_FORM_HOURS) under a
one-time key in a cookie, its files as pending uploads; after signing in on the same browser
the person is back on the form's page with everything filled in, to check and send.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.keptforms import jobs, web

    hooks = app.before_request_funcs.setdefault(None, [])
    # Before the CSRF check: a POST without a session has no valid token either, and the
    # person should be sent to sign in, not shown a 400.
    csrf_hooks = [hook for hook in hooks if getattr(hook, "__name__", "") == "csrf_protect"]
    for hook in csrf_hooks:
        hooks.remove(hook)
    hooks.append(web.keep_signed_out_post)
    # A page older than a session the remember-me cookie restored: its token still counts.
    hooks.append(web.adopt_remembered_page_token)
    hooks.extend(csrf_hooks)
    app.before_request(web.restore_kept_form)
    app.jinja_env.globals["kept_form_restored"] = web.kept_form_restored
    app.jinja_env.globals["kept_form_until"] = web.kept_form_until
    jobs.init_app(app)
