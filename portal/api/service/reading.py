"""GET requests: the filters of GeoReport v2 over the requests, and what each request shows.

Everyone gets the public summary of a request (``service_requests.service.public_summaries``:
category, building, status, public replies, dates, the handling team). A key that may read
details adds the description and the media URL; nothing else private ever leaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.api.models import ApiSubmission
from portal.clock import SHANGHAI
from portal.errors import DomainError
from portal.service_requests import service
from portal.service_requests.models import RequestCategory, ServiceRequest
from portal.web.inputs import has_control_characters

MAX_RESULTS = 1000
MAX_WINDOW = timedelta(days=90)
MAX_IDS = 100
OPEN, CLOSED = "open", "closed"


class NotFound(DomainError):
    """An unknown service or request: a 404 rather than a 400."""

    status = 404


@dataclass(frozen=True)
class ApiRequest:
    summary: service.RequestSummary
    description: str | None = None  # only for a key that may read details
    media_url: str | None = None

    @property
    def open311_status(self) -> str:
        return OPEN if self.summary.status in service.UNFINISHED else CLOSED

    @property
    def status_notes(self) -> str | None:
        """The latest thing the office said in public: a reply, or a status change's note."""
        for event in reversed(self.summary.events):
            if event.body:
                return event.body
        if self.summary.merged_into_ref:
            return self.summary.merged_into_ref
        return None


def parse_moment(raw: str | None, name: str) -> datetime | None:
    """A W3C datetime (2026-12-01T08:00:00+08:00, ...Z, or a date); Shanghai when no offset."""
    if raw is None or raw == "":
        return None
    # A "+08:00" sent unencoded in a query string arrives as " 08:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.strip())
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= 2999:
        raise DomainError(_l("%(name)s must be a W3C datetime such as "
                             "2026-12-01T08:00:00+08:00.", name=name), field=name)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def window(start: datetime | None, end: datetime | None,
           now: datetime) -> tuple[datetime, datetime]:
    """The requested-at range: at most 90 days, the latest 90 days when none is given."""
    if start and end:
        if end < start:
            raise DomainError(_l("end_date must come after start_date."), field="end_date")
        if end - start > MAX_WINDOW:
            raise DomainError(_l("start_date and end_date may be at most 90 days apart."),
                              field="end_date")
        return start, end
    if start:
        return start, start + MAX_WINDOW
    end = end or now
    return end - MAX_WINDOW, end


def split_list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def find_requests(session: Session, args, now: datetime) -> list[ServiceRequest]:
    """The requests GET requests asks for, newest first, at most MAX_RESULTS."""
    statement = select(ServiceRequest).options(*service.SUMMARY_OPTIONS)
    ids = split_list(args.get("service_request_id"))
    if ids:  # the specification: other filters are then ignored
        if len(ids) > MAX_IDS or not all(service.REF_PATTERN.match(ref) for ref in ids):
            raise DomainError(_l("service_request_id takes up to 100 references such as "
                                 "R20261203-0001, separated by commas."),
                              field="service_request_id")
        statement = statement.where(ServiceRequest.ref.in_(ids))
    else:
        start, end = window(parse_moment(args.get("start_date"), "start_date"),
                            parse_moment(args.get("end_date"), "end_date"), now)
        statement = statement.where(ServiceRequest.created_at >= start,
                                    ServiceRequest.created_at <= end)
        codes = split_list(args.get("service_code"))
        if codes:
            if len(codes) > MAX_IDS:
                raise DomainError(_l("Too many service codes."), field="service_code")
            statement = statement.where(ServiceRequest.category_id.in_(
                select(RequestCategory.id).where(RequestCategory.key.in_(codes))))
        statuses = set(split_list(args.get("status")))
        if statuses - {OPEN, CLOSED}:
            raise DomainError(_l("status is open or closed."), field="status")
        if statuses == {OPEN}:
            statement = statement.where(ServiceRequest.status.in_(service.UNFINISHED))
        elif statuses == {CLOSED}:
            statement = statement.where(ServiceRequest.status.not_in(service.UNFINISHED))
    return list(session.scalars(statement.order_by(ServiceRequest.created_at.desc(),
                                                   ServiceRequest.id.desc())
                                .limit(MAX_RESULTS)))


def one_request(session: Session, ref: str) -> ServiceRequest:
    found = None
    if service.REF_PATTERN.match(ref or ""):
        found = session.scalar(select(ServiceRequest).options(*service.SUMMARY_OPTIONS)
                               .where(ServiceRequest.ref == ref))
    if found is None:
        raise NotFound(_l("There is no request %(ref)s.", ref=(ref or "")[:30]),
                       field="service_request_id")
    return found


def as_api_requests(session: Session, requests: list[ServiceRequest],
                    details: bool) -> list[ApiRequest]:
    summaries = service.public_summaries(session, requests)
    if not details:
        return [ApiRequest(summary) for summary in summaries]
    media = dict(session.execute(select(ApiSubmission.request_id, ApiSubmission.media_url)
                                 .where(ApiSubmission.request_id.in_(
                                     [item.id for item in requests])))
                 .all()) if requests else {}
    return [ApiRequest(summary, description=item.description, media_url=media.get(item.id))
            for item, summary in zip(requests, summaries, strict=True)]


def request_for_token(session: Session, token: str) -> tuple[str, str]:
    """(service_request_id, token) for a token POST handed back."""
    found = None
    if token and len(token) <= 40 and not has_control_characters(token):
        found = session.execute(select(ServiceRequest.ref, ApiSubmission.token)
                                .join(ApiSubmission, ApiSubmission.request_id ==
                                      ServiceRequest.id)
                                .where(ApiSubmission.token == token)).first()
    if found is None:
        raise NotFound(_l("There is no request for that token."), field="token")
    return found.ref, found.token
