"""POST requests: a request created by another system lands in the staff queue like any
other, with its channel ("api") and the key's name, and a staff-only note with the contact
details and the answers to the category's questions."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.api.models import ApiKey, ApiSubmission
from portal.api.service import catalogue
from portal.api.service.keys import record_key_use
from portal.api.service.reading import NotFound
from portal.errors import DomainError
from portal.service_requests import service
from portal.service_requests.models import ServiceRequest
from portal.web import typed

CHANNEL = "api"
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "device_id", "account_id")
MAX_DESCRIPTION = 4000


def attributes_of(form) -> dict[str, list[str]]:
    """attribute[q3]=yes and attribute[q4][]=a&attribute[q4][]=b, by question code."""
    given: dict[str, list[str]] = {}
    for name in form:
        match = ATTRIBUTE.match(name)
        if match:
            given.setdefault(match.group(1), []).extend(form.getlist(name))
    return given


def _text(form, name: str, limit: int, required_message=None) -> str:
    value = (form.get(name) or "").strip()
    if not value and required_message is not None:
        raise DomainError(required_message, field=name)
    if len(value) > limit:
        raise DomainError(_l("%(name)s is at most %(limit)d characters.", name=name,
                             limit=limit), field=name)
    return value


def _address(form) -> tuple[str, str]:
    """"3号楼 2单元 501": the building, and the rest as the exact place."""
    address = _text(form, "address_string", 121, _l(
        "address_string is required: the building and unit in the community, "
        "such as 3号楼 2单元."))
    building, _space, rest = address.partition(" ")
    building = typed.building(building)  # measured as stored: NFKC makes "½" "1⁄2"
    if len(building) > 20 or len(rest.strip()) > 100:
        raise DomainError(_l("address_string starts with the building (at most 20 "
                             "characters), then the unit and room."), field="address_string")
    return building, rest.strip()


def _media_url(form) -> str | None:
    url = _text(form, "media_url", 500)
    if url and not re.match(r"^https?://[^\s]+$", url):
        raise DomainError(_l("media_url must be an http or https address."), field="media_url")
    return url or None


def _contact(form) -> dict[str, str]:
    contact = {name: _text(form, name, 100) for name in CONTACT_FIELDS}
    if contact["email"] and "@" not in contact["email"]:
        raise DomainError(_l("email is not an e-mail address."), field="email")
    return {name: value for name, value in contact.items() if value}


def _staff_note(contact: dict[str, str], answers: list[catalogue.Answer]) -> str:
    """In the office's language: staff read it on the request's page."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        lines = []
        name = " ".join(part for part in (contact.get("last_name"), contact.get("first_name"))
                        if part)
        labels = {"phone": pgettext("api contact", "Phone"),
                  "email": pgettext("api contact", "E-mail"),
                  "device_id": pgettext("api contact", "Device"),
                  "account_id": pgettext("api contact", "Account")}
        if name:
            lines.append(pgettext("api contact", "Contact") + f": {name}")
        lines.extend(f"{label}: {contact[field]}" for field, label in labels.items()
                     if field in contact)
        lines.extend(f"{answer.question.prompt_zh}: {', '.join(answer.values)}"
                     for answer in answers)
    return "\n".join(lines)


def create_request(session: Session, key: ApiKey, form, locale: str,
           now: datetime) -> tuple[ServiceRequest, ApiSubmission]:
    code = _text(form, "service_code", 30, _l("service_code is required."))
    category = catalogue.category_by_code(session, code)
    if category is None:
        raise NotFound(_l("There is no service %(code)s.", code=code), field="service_code")
    description = _text(form, "description", MAX_DESCRIPTION,
                        _l("description is required: what the problem is."))
    building, location = _address(form)
    media_url = _media_url(form)
    contact = _contact(form)
    answers = catalogue.check_answers(catalogue.questions(session, category.id),
                                      attributes_of(form), locale)
    request = service.submit(
        session, None, category=category, description=description, building=building,
        location=location, urgent=False, many_households=False,
        idempotency_key=secrets.token_urlsafe(24), now=now, channel=CHANNEL,
        external_ref=key.name)
    note = _staff_note(contact, answers)
    if note:
        service.reply(session, request, None, note, public=False, now=now)
    submission = ApiSubmission(request_id=request.id, api_key_id=key.id,
                               token=secrets.token_urlsafe(18), media_url=media_url,
                               created_at=now)
    session.add(submission)
    record_key_use(session, key, "request_created", request.ref)
    session.flush()
    return request, submission
