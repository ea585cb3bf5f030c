"""The home page, the language and care-mode switches, and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.extensions import db
from portal.registry import registry
from portal.web import care
from portal.web.i18n import LANG_COOKIE, is_supported
from portal.web.safety import safe_next_url

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated and current_user.is_staff:
        return redirect(url_for("staff.home"))
    tiles = registry().sorted("tiles")
    if current_user.is_authenticated:
        return render_template("home/resident.html", tiles=tiles)
    return render_template("home/landing.html", tiles=tiles)


@bp.post("/language")
def set_language():
    code = request.form.get("lang", "")
    target = safe_next_url(request.form.get("next")) or url_for("web.home")
    response = redirect(target, 303)
    if is_supported(code):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return response


@bp.post("/care-mode")
def set_care_mode():
    on = request.form.get("care") == care.ON
    target = safe_next_url(request.form.get("next")) or url_for("web.home")
    response = redirect(target, 303)
    care.remember(response, on)
    if current_user.is_authenticated:
        current_user.care_mode = on
        db.session.commit()
    return response


@bp.get("/healthz")
def healthz():
    """For the load balancer: 200 while the database and the upload store work; the rate-limit
    store may be "degraded" (Redis down, limits counted in this process) without failing it."""
    from pathlib import Path

    from portal.files.storage import writable
    from portal.web.limiter_health import rate_limit_state

    try:
        # A connection of the pool, not an ORM session: the same round trip, a third of
        # the work (this runs every few seconds from each load balancer).
        with db.sessions_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        database = "ok"
    except Exception as error:  # noqa: BLE001 - a health check reports, it does not raise
        current_app.logger.warning("health check: database unavailable: %s", error)
        database = "unavailable"
    uploads = "ok" if writable(Path(current_app.config["UPLOAD_DIR"])) else "unavailable"
    if uploads != "ok":
        current_app.logger.warning("health check: upload directory not writable")
    checks = {"database": database, "uploads": uploads, "rate_limits": rate_limit_state()}
    healthy = database == "ok" and uploads == "ok"
    degraded = not healthy or checks["rate_limits"] != "ok"
    response = jsonify(status="degraded" if degraded else "ok", **checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
