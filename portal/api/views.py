"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests
(GET and POST), one request, tokens; each in .json and .xml, errors in the specification's
format. Without a key anyone reads the public summaries; a key may add details or create.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from portal.accounts.roles import Role
from portal.api import service
from portal.api.formats import errors, respond
from portal.api.models import ApiKey
from portal.api.openapi import description as openapi_description
from portal.clock import SHANGHAI, utcnow
from portal.errors import DomainError
from portal.extensions import csrf, db, limiter
from portal.web.i18n import format_deadline, normalise

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)
FORMAT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed in a way a client would notice.
CHANGESET = datetime(2026, 12, 3, tzinfo=SHANGHAI)


class Refusal(Exception):
    """An answer in the specification's error format, raised from anywhere in a view."""

    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status, self.description = status, description


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt in ("json", "xml"):
        return fmt
    return "json" if request.path.endswith(".json") else "xml"  # XML: the spec's own format


def _secret() -> str:
    if request.method == "POST":
        secret = request.form.get("api_key")
        if secret:
            return secret
    return request.args.get("api_key") or request.headers.get("X-Api-Key") or ""


def _rate_key() -> str:
    secret = _secret()
    return f"api-key:{service.hash_secret(secret)[:32]}" if secret else \
        f"api-address:{get_remote_address()}"


def _rate_limit() -> str:
    config = current_app.config
    return config["API_RATE_LIMIT_PER_KEY"] if _secret() else \
        config["API_RATE_LIMIT_PER_ADDRESS"]


# On each view rather than the blueprint: a blueprint-wide limit would put flask-limiter's
# hook back on every request of the site (portal/web/limits.py).
rate_limited = limiter.limit(_rate_limit, key_func=_rate_key)


@bp.before_request
def locale_and_jurisdiction():
    asked = normalise(request.args.get("locale"))
    if asked:
        g.forced_locale = asked
    jurisdiction = request.values.get("jurisdiction_id")
    if jurisdiction and jurisdiction != current_app.config["OPEN311_JURISDICTION_ID"]:
        raise Refusal(404, _("jurisdiction_id %(given)s is not served here; this community "
                             "is %(ours)s.", given=jurisdiction[:60],
                             ours=current_app.config["OPEN311_JURISDICTION_ID"]))


def _key(required: bool = False) -> ApiKey | None:
    secret = _secret()
    if not secret:
        if required:
            raise Refusal(403, _("An api_key is required. The community office issues them."))
        return None
    key = service.find_key(db.session, secret)
    if key is None:
        raise Refusal(403, _("That api_key is not valid."))
    if not key.active:
        raise Refusal(403, _("That api_key has been revoked."))
    return key


def _locale() -> str:
    return str(get_locale() or "zh_Hans_CN")


@bp.errorhandler(Refusal)
def refused(refusal: Refusal):
    return errors(_format(), refusal.status, refusal.description)


@bp.errorhandler(DomainError)
def domain_refusal(error: DomainError):
    db.session.rollback()
    status = 404 if isinstance(error, service.NotFound) else 400
    return errors(_format(), status, error.message)


@bp.errorhandler(404)
def not_found(_error):
    return errors(_format(), 404, _("There is nothing at this address of the Open311 API."))


@bp.errorhandler(429)
def too_many(_error):
    return errors(_format(), 429, _("Too many calls: wait a minute and try again."))


@bp.errorhandler(500)
def server_error(_error):
    return errors(_format(), 500, _("Something went wrong on our side. Try again later."))


@bp.get(f"/discovery.{FORMAT}")
@rate_limited
def discovery(fmt):
    config = current_app.config
    root = url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0]
    return respond(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": f"{config['OFFICE_NAME']} {config['OFFICE_PHONE']}",
        "key_service": _("Ask the community office for a key; it is issued at %(url)s.",
                         url=url_for("api_keys.index", _external=True)),
        "endpoints": [{"specification": SPECIFICATION, "url": root, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    })


def _team(role: str, known: dict | None = None) -> str:
    """The team's name; ``known`` keeps the ones already translated in this answer."""
    if known is not None and role in known:
        return known[role]
    name = str(Role(role).label) if role in Role._value2member_map_ else role
    if known is not None:
        known[role] = name
    return name


def _service(category, locale: str, asks: bool) -> dict:
    name = category.name(locale)
    return {"service_code": category.key, "service_name": name,
            "description": _("Requests about “%(name)s”, handled by the %(team)s.",
                             name=name, team=_team(category.role)),
            "metadata": asks, "type": "realtime",
            "keywords": f"{category.name_zh},{category.name_en}", "group": _team(category.role)}


@bp.get(f"/services.{FORMAT}")
@rate_limited
def services(fmt):
    locale = _locale()
    asking = service.categories_with_questions(db.session)
    return respond(fmt, "services", [_service(category, locale, category.id in asking)
                                     for category in service.active_categories(db.session)])


def _attribute(question, locale: str, order: int) -> dict:
    values = [{"key": choice, "name": choice} for choice in question.choices]
    return {"variable": True, "code": question.code, "datatype": question.datatype,
            "required": question.required,
            "datatype_description": str(service.DATATYPES[question.datatype]),
            "order": order, "description": question.prompt(locale),
            "values": values or None}


@bp.get(f"/services/<open311_segment:code>.{FORMAT}")
@rate_limited
def service_definition(code, fmt):
    category = service.category_by_code(db.session, code)
    if category is None:
        raise service.NotFound(_("There is no service %(code)s.", code=code[:30]))
    locale = _locale()
    asked = service.questions(db.session, category.id)
    return respond(fmt, "service_definition", {
        "service_code": category.key,
        "attributes": [_attribute(question, locale, order)
                       for order, question in enumerate(asked, start=1)]})


def _request(item: service.ApiRequest, locale: str, teams: dict) -> dict:
    summary = item.summary
    return {"service_request_id": summary.ref, "status": item.open311_status,
            "status_notes": item.status_notes, "service_name": summary.category.name(locale),
            "service_code": summary.category.key, "description": item.description,
            "agency_responsible": _team(summary.role, teams),
            "requested_datetime": summary.created_at,
            "updated_datetime": summary.last_activity_at,
            "expected_datetime": summary.resolve_by, "address": summary.building,
            "media_url": item.media_url}


def _answer(fmt, found, key: ApiKey | None):
    details = bool(key and key.may_read_details)
    items = service.as_api_requests(db.session, found, details)
    if key is not None:
        refs = ", ".join(item.summary.ref for item in items[:5])
        more = f" (+{len(items) - 5})" if len(items) > 5 else ""
        service.record_key_use(db.session, key, "requests_read_details" if details
                               else "requests_read", refs + more)
        db.session.commit()
    locale = _locale()
    teams: dict[str, str] = {}
    return respond(fmt, "service_requests", [_request(item, locale, teams) for item in items])


@bp.get(f"/requests.{FORMAT}")
@rate_limited
def list_requests(fmt):
    key = _key()
    return _answer(fmt, service.find_requests(db.session, request.args, utcnow()), key)


@bp.post(f"/requests.{FORMAT}")
@rate_limited
def create_request(fmt):
    key = _key(required=True)
    if not key.may_create:
        raise Refusal(403, _("This api_key may read requests but not create them."))
    created, submission = service.create_request(db.session, key, request.form, _locale(), utcnow())
    db.session.commit()
    return respond(fmt, "service_requests", [{
        "service_request_id": created.ref, "token": submission.token,
        "service_notice": _("The community office will answer %(by)s.",
                            by=format_deadline(created.respond_by)),
    }], status=201)


@bp.get(f"/requests/<open311_segment:ref>.{FORMAT}")
@rate_limited
def one_request(ref, fmt):
    key = _key()
    return _answer(fmt, [service.one_request(db.session, ref)], key)


@bp.get(f"/tokens/<open311_segment:token>.{FORMAT}")
@rate_limited
def token(token, fmt):
    ref, token_value = service.request_for_token(db.session, token)
    return respond(fmt, "service_requests", [{"service_request_id": ref,
                                              "token": token_value}])


@bp.get("/openapi.json")
@rate_limited
def openapi():
    return jsonify(openapi_description(url_for("open311.discovery", fmt="json")
                                       .rsplit("/", 1)[0]))


@bp.route("/<open311_any_path:anything>", methods=["GET", "POST"])
@rate_limited
def unknown(anything):
    raise Refusal(404, _("There is nothing at this address of the Open311 API."))
