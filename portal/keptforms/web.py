"""The web side of a kept form: a POST without a sign-in (a resident's or a back-office one) is
kept and sent to sign in; after sign-in the form's page shows it again, filled in, not sent.

Giving it back re-runs the form's own view (one marked ``form_view``) with the kept fields
and no CSRF token: exactly what a form whose token lapsed does, so the view changes nothing
and re-renders the person's values and files (its pending uploads, by token). Nothing else
needs to know: no area reads a kept form itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from htmx_flask import make_response as htmx_response
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from portal.accounts import throttle
from portal.accounts.models import User
from portal.accounts.permissions import SIGNED_IN_ONLY_ATTR
from portal.clock import utcnow
from portal.extensions import db
from portal.files.service import take_uploads
from portal.keptforms import service
from portal.registry import registry
from portal.web.errors import FORM_VIEW_ATTR, rerun_form_view
from portal.web.inputs import CleanMultiDict, bounded_int
from portal.web.render import wants_fragment
from portal.web.safety import safe_next_url

COOKIE = "linli_kept_form"
ADDRESS_LIMIT = "kept-form-address"
KEPT_MESSAGE = _l("You were signed out. Please sign in again: what you filled in has been "
                  "kept.")
SIGNED_OUT_MESSAGE = _l("You were signed out. Please sign in again, then try once more.")

_LOGIN_REQUIRED_CODE = login_required(lambda: None).__code__


def needs_sign_in(view) -> bool:
    """Whether a view is behind Flask-Login's ``login_required`` (anywhere in its wrappers):
    the resident views."""
    while view is not None:
        if getattr(view, "__code__", None) is _LOGIN_REQUIRED_CODE:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def on_signed_in_blueprint(endpoint: str) -> bool:
    """Whether the endpoint is on a blueprint all of whose URLs need a sign-in: the back
    office's, which check the staff permission in the blueprint, not on each view."""
    names = endpoint.split(".")[:-1]
    return any(getattr(current_app.blueprints.get(".".join(names[:depth])),
                       SIGNED_IN_ONLY_ATTR, False) for depth in range(1, len(names) + 1))


def _local(path: str, query: str) -> str:
    return path + ("?" + query if query else "")


def _answers_get(path: str) -> bool:
    adapter = current_app.create_url_adapter(request)
    try:
        adapter.match(path, method="GET")
    except (HTTPException, RoutingException):
        return False
    return True


def form_page() -> str | None:
    """Where the form was: its own URL when that answers GET (/requests/new), else the page
    that sent it (a rating on /requests/<ref>; Referrer-Policy is same-origin)."""
    if _answers_get(request.path):
        return _local(request.path, request.query_string.decode("latin-1"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path != request.path:
        page = safe_next_url(_local(referrer.path, referrer.query))
        if page and _answers_get(referrer.path):
            return page
    return None


def _previous_account() -> int | None:
    """The account the lapsed session named (the signed session cookie outlives a sign-in
    that ended on the server); None after signing out or with the cookies cleared."""
    cookie_id = session.get("_user_id")
    return bounded_int(cookie_id.split(":")[0]) if isinstance(cookie_id, str) else None


def _keep(view, page: str) -> str | None:
    """Keep the submitted fields and files; the new key, or None when nothing was kept."""
    if not getattr(view, FORM_VIEW_ATTR, False):
        return None  # a button (withdraw, follow, mark read): nothing typed to keep
    fields = service.keepable_fields(request.form.items(multi=True))
    uploads = registry().kept_uploads.get(request.endpoint, [])
    chosen = any(f.filename for u in uploads for f in request.files.getlist(u.field))
    if fields is None or not (fields or chosen):
        return None
    config = current_app.config
    with throttle.Attempt(current_app.extensions["db_sessionmaker"], config["SECRET_KEY"],
                          [(ADDRESS_LIMIT, request.remote_addr or "",
                            config["KEPT_FORM_LIMIT_PER_IP"])], utcnow()) as attempt:
        if attempt.over_limit:
            return None
        attempt.count()
    tokens = []
    for upload in uploads:
        kept = [(n, v) for n, v in fields if n == upload.tokens_field]
        earlier = " ".join(v for _n, v in kept).split()
        stored = take_uploads(db.session, request.files.getlist(upload.field), owner_id=None,
                              area=upload.area, allowed=set(upload.allowed),
                              max_bytes=upload.max_bytes,
                              max_files=max(upload.max_files - len(earlier), 0)).files
        tokens += [s.token for s in stored]
        fields = [(n, v) for n, v in fields if n != upload.tokens_field]
        fields.append((upload.tokens_field, " ".join(earlier + [s.token for s in stored])))
    service.drop_key(db.session, request.cookies.get(COOKIE))
    key = service.new_key()
    known = _previous_account()
    service.keep(db.session, key=key, action=request.path, page=page, fields=fields,
                 file_tokens=tokens, now=utcnow(), hours=float(config["KEPT_FORM_HOURS"]),
                 known_user_id=known if known and db.session.get(User, known) else None)
    db.session.commit()
    return key


def keep_signed_out_post():
    """Before the CSRF check (which a POST without a session fails too): a POST without a
    sign-in to a view that needs one is kept and answered with the sign-in page, never a 400."""
    if request.method != "POST" or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if (view is None or current_user.is_authenticated
            or not (needs_sign_in(view) or on_signed_in_blueprint(request.endpoint))):
        return None
    page = form_page()
    key = _keep(view, page) if page else None
    flash(str(KEPT_MESSAGE if key else SIGNED_OUT_MESSAGE), "error")
    target = url_for("auth.login", next=page)
    if getattr(request, "htmx", None):  # boosted or hx-post: the whole sign-in page
        response = htmx_response("", 204, redirect=target)
    else:
        response = redirect(target, 303)
    if key:
        config = current_app.config
        response.set_cookie(COOKIE, key, max_age=int(float(config["KEPT_FORM_HOURS"]) * 3600),
                            httponly=True, samesite="Lax",
                            secure=bool(config["SESSION_COOKIE_SECURE"]))
    return response


def _same_origin() -> bool:
    """The POST came from one of our own pages: its Origin (or, failing that, its Referer)."""
    sender = request.headers.get("Origin") or request.referrer or ""
    return urlsplit(sender).netloc == request.host


def adopt_remembered_page_token():
    """Before the CSRF check: a POST from a page older than this session, whose sign-in the
    remember-me cookie has just restored, carries the token of the session that lapsed (our
    signature, a raw value no session holds any more). Take that raw value as this session's,
    so the tap simply works, the page's other forms too, instead of "page expired".

    Only when the session has no token of its own yet, the person is signed in, the token
    bears our signature and the POST is same-origin: a forged or foreign token still fails the
    check as before. (Lax cookies already keep another site's POST from carrying the sign-in.)
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # also the session's key for it
    if (request.method != "POST" or not config.get("WTF_CSRF_ENABLED", True)
            or not current_user.is_authenticated or session.get(field) is not None
            or not _same_origin()):
        return None
    token = _page_token(field)
    if not token:
        return None
    signer = URLSafeTimedSerializer(config.get("WTF_CSRF_SECRET_KEY") or config["SECRET_KEY"],
                                    salt="wtf-csrf-token")
    try:
        raw = signer.loads(token, max_age=config.get("WTF_CSRF_TIME_LIMIT"))
    except BadData:
        return None
    if isinstance(raw, str):
        session[field] = raw
    return None


def _page_token(field: str) -> str | None:
    for name, value in request.form.items():
        if (name == field or name.endswith("-" + field)) and value:
            return value
    for header in current_app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"]):
        if request.headers.get(header):
            return request.headers[header]
    return None


def bind_at_sign_in(user) -> str | None:
    """Called by the sign-in view: the page to return to when this browser kept a form."""
    kept = service.bind(db.session, request.cookies.get(COOKIE), user.id, utcnow())
    return kept.page if kept is not None else None


def restore_kept_form():
    """On the kept form's page, once, for the account that bound it: the form's view again,
    as after a lapsed token (which changes nothing), with the kept fields."""
    key = request.cookies.get(COOKIE)
    if (not key or request.method != "GET" or wants_fragment()
            or not current_app.config.get("WTF_CSRF_ENABLED", True)
            or not current_user.is_authenticated):
        return None  # with CSRF off the view would save the form: never replay it then
    page = _local(request.path, request.query_string.decode("latin-1"))
    taken = service.take(db.session, key, current_user.id, page, utcnow())
    if taken is None:
        return None
    db.session.commit()
    action, fields = taken
    adapter = current_app.create_url_adapter(request)
    try:
        rule, args = adapter.match(action, method="POST", return_rule=True)
    except (HTTPException, RoutingException):
        return None
    view = current_app.view_functions[rule.endpoint]
    # The same request, as the POST it was: the view reads request.form and request.method.
    request.method = "POST"
    request.url_rule, request.view_args = rule, args
    request.__dict__.update(form=CleanMultiDict(fields), files=ImmutableMultiDict())
    request.__dict__.pop("values", None)
    g.kept_form_restored = True
    # The form's blueprint checks run first: whoever signed in may not be allowed this form.
    response = current_app.make_response(rerun_form_view(view, args))
    if response.status_code == 422:
        response.status_code = 200
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax",
                           secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response


def kept_form_until():
    """For the sign-in page: until when this browser's kept form waits, so the person knows."""
    return service.kept_until(db.session, request.cookies.get(COOKIE), utcnow())


def kept_form_restored() -> bool:
    return bool(g.get("kept_form_restored"))
