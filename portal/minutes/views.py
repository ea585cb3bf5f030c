"""Published minutes, their earlier versions and the resolutions overview. Public."""

from __future__ import annotations

from flask import Blueprint, abort, request

from portal.extensions import db
from portal.minutes import service
from portal.minutes.models import MeetingKind
from portal.web.pagination import page_number, paginate
from portal.web.render import render

bp = Blueprint("minutes", __name__, url_prefix="/minutes")


def _year() -> int | None:
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        return None
    return year if 1900 < year < 3000 else None


@bp.get("/")
def index():
    kind = request.args.get("kind") or None
    query = request.args.get("q", "").strip()
    statement = service.published_statement(kind, _year(),
                                            service.search_text(db.session, query))
    page = paginate(db.session, statement, page_number(), per_page=20)
    counts = service.resolution_counts(db.session, [meeting.id for meeting in page.items])
    return render("minutes/index.html", "minutes/_list.html", page=page, counts=counts,
                  kinds=list(MeetingKind), years=service.published_years(db.session),
                  kind=kind, year=_year(), query=query)


def _published_or_404(meeting_id: int):
    meeting = service.get_published(db.session, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.get("/<int:meeting_id>")
def detail(meeting_id):
    return render("minutes/detail.html", meeting=_published_or_404(meeting_id))


@bp.get("/<int:meeting_id>/versions")
def versions(meeting_id):
    meeting = _published_or_404(meeting_id)
    return render("minutes/versions.html", meeting=meeting,
                  versions=service.versions(db.session, meeting.id))


@bp.get("/<int:meeting_id>/versions/<int:number>")
def version(meeting_id, number):
    meeting = _published_or_404(meeting_id)
    earlier = service.get_version(db.session, meeting.id, number)
    if earlier is None:
        abort(404)
    later = service.following(db.session, meeting, number)
    return render("minutes/version.html", meeting=meeting, earlier=earlier, later=later,
                  changes=service.changes(earlier, later))


@bp.get("/resolutions")
def resolutions():
    page = paginate(db.session, service.open_resolutions_statement(), page_number(),
                    per_page=20, scalars=False)
    latest = service.latest_updates(db.session, [row[0].id for row in page.items])
    return render("minutes/resolutions.html", "minutes/_resolutions.html", page=page,
                  latest=latest)
