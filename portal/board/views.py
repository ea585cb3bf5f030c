"""The public lobby board: /board (the whole page) and /board/content (what htmx polls).

Both answer with a weak ETag and `Cache-Control: public, no-cache`, and a 304 with no body
when If-None-Match matches. Working that out costs one SQL statement for the sections'
fingerprints, plus one for a named profile.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from portal.board import service
from portal.clock import local_day, utcnow
from portal.extensions import db
from portal.registry import registry
from portal.web.render import wants_fragment

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.before_request
def force_locale():
    # The screen is Chinese unless its URL asks for English, whatever the browser says.
    g.forced_locale = "en" if request.args.get("lang") == "en" else "zh_Hans_CN"


def _settings() -> tuple[float, float]:
    config = current_app.config
    return float(config["BOARD_POLL_SECONDS"]), float(config["BOARD_PAGE_SECONDS"])


def _content_args(profile: service.Profile) -> dict:
    args = {}
    if profile.slug:
        args["profile"] = profile.slug
    if request.args.get("lang") == "en":
        args["lang"] = "en"
    return args


def _board(variant: str):
    profile = service.find_profile(db.session, request.args.get("profile"))
    if profile is None:
        abort(404)
    now = utcnow()
    sections = service.shown_sections(registry().board_sections, profile)
    values = service.fingerprint_values(db.session, sections, now, profile)
    code = current_app.extensions["board_code_version"]
    tag_parts = dict(code=code, values=values, sections=sections, profile=profile,
                     locale=str(get_locale()), day=local_day(now).isoformat(),
                     settings=_settings())
    tag = service.etag(variant=variant, **tag_parts)
    fragment_tag = service.etag(variant="fragment", **tag_parts)

    if variant == "page":
        # The same nonce as the page the browser may have cached: see service.page_nonce.
        g.csp_nonce = service.page_nonce(current_app.config["SECRET_KEY"], tag)
    if request.if_none_match.contains_weak(tag):
        response = make_response("", 304)
    else:
        loaded = service.load_sections(sections, now, profile)
        rendered = [(section, Markup(render_template(  # noqa: S704 - autoescaped template
                        section.template, **{"now": now, "profile": profile, **context})))
                    for section, context in loaded]
        poll, page = _settings()
        context = dict(
            alerts=[(s, html) for s, html in rendered if s.key == "alerts"],
            sections=[(s, html) for s, html in rendered if s.key != "alerts"],
            profile=profile, now=now, content_args=_content_args(profile),
            fragment_etag=fragment_tag, code_version=code, poll_seconds=poll, page_seconds=page,
            retry_max_seconds=float(current_app.config["BOARD_RETRY_MAX_SECONDS"]),
        )
        template = "board/page.html" if variant == "page" else "board/_content.html"
        response = make_response(render_template(template, **context))
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("HX-Request")
    response.headers["X-Board-Version"] = code
    return response


@bp.get("", strict_slashes=False)
def page():
    return _board("fragment" if wants_fragment() else "page")


@bp.get("/content")
def content():
    # The same answers as /board: htmx polls get the fragment, a plain visit the whole page.
    return _board("fragment" if wants_fragment() else "page")
