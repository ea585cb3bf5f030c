"""Notices for residents and the public: /notices/."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from portal.clock import utcnow
from portal.extensions import db
from portal.notices import service
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render, wants_fragment

bp = Blueprint("notices", __name__, url_prefix="/notices")


def _reader():
    return current_user if current_user.is_authenticated and not current_user.is_staff else None


@bp.get("/")
def index():
    page = paginate(db.session, service.listing_statement(utcnow()), page_number(), per_page=20)
    reader = _reader()
    read = (service.read_ids(db.session, reader.id, [notice.id for notice in page.items])
            if reader else set())
    return render("notices/index.html", "notices/_list.html", page=page, read=read,
                  reader=reader)


def _visible_or_404(notice_id: int):
    notice = service.get_visible(db.session, notice_id, utcnow())
    if notice is None:
        abort(404)
    return notice


@bp.get("/<int:notice_id>")
def detail(notice_id):
    notice = _visible_or_404(notice_id)
    reader = _reader()
    read = bool(reader) and service.has_read(db.session, reader.id, notice.id)
    return render("notices/detail.html", notice=notice, reader=reader, read=read)


@bp.post("/<int:notice_id>/read")
@login_required
def mark_read(notice_id):
    """Opening a notice sends this POST (htmx, on load; or the button without JavaScript)."""
    notice = _visible_or_404(notice_id)
    if ActionForm().validate_on_submit() and not current_user.is_staff:
        service.mark_read(db.session, current_user.id, notice.id)
        db.session.commit()
    if wants_fragment():
        return render("notices/_read.html", notice=notice, reader=_reader(), read=True)
    return redirect(url_for(".detail", notice_id=notice.id), 303)
