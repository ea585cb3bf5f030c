"""Requests staff record: /staff/requests/new (代录 by phone or visit, a 12345 order) and
/staff/requests/patrol (网格巡查, from the phone). Same blueprint and permission as the queue."""

from __future__ import annotations

import secrets

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import take_uploads
from portal.service_requests import category_name, service
from portal.service_requests.forms import MAX_PHOTOS, IntakeForm, PatrolForm
from portal.service_requests.staff_views import bp
from portal.service_requests.views import MAX_PHOTO_BYTES
from portal.web.errors import form_view
from portal.web.render import refused, render, render_form_errors

PAGE = "service_requests/staff/record.html"


def _choices(form, categories):
    form.category.choices = [SelectChoice(c.id, category_name(c)) for c in categories]
    if isinstance(form, IntakeForm):
        form.channel.choices = [SelectChoice(key, service.CHANNEL_LABELS[key])
                                for key in service.ON_BEHALF]


def _page(form, pending, patrol, status=200, found=None, looked_up=False):
    page = render_form_errors if status == 422 else render
    return page(PAGE, form=form, pending=pending, patrol=patrol, found=found,
                looked_up=looked_up, max_photos=MAX_PHOTOS)


def _record(patrol: bool):
    categories = service.categories(db.session)
    form_class = PatrolForm if patrol else IntakeForm
    if request.method == "GET":
        form = form_class(formdata=None, idempotency_key=secrets.token_urlsafe(24))
        if not patrol:
            form.channel.data = service.ON_BEHALF[0]
        _choices(form, categories)
        return _page(form, [], patrol)
    form = form_class()
    _choices(form, categories)
    valid = form.validate_on_submit()
    tokens = (form.photo_tokens.data or "").split()
    if "csrf_token" in form.errors:  # change nothing, not even the uploads
        kept = take_uploads(db.session, (), kept=tokens, owner_id=current_user.id,
                            area=service.AREA, max_files=MAX_PHOTOS)
        return _page(form, kept.files, patrol, status=422)
    existing = service.by_key(db.session, form.idempotency_key.data or "")
    if existing is not None:  # a double click
        return redirect(url_for("staff_requests.detail", ref=existing.ref), 303)
    uploads = take_uploads(db.session, request.files.getlist(form.photos.name), kept=tokens,
                           owner_id=current_user.id, area=service.AREA,
                           max_bytes=MAX_PHOTO_BYTES, max_files=MAX_PHOTOS)
    form.photos.errors = [*form.photos.errors, *uploads.errors]
    form.photo_tokens.data = uploads.tokens
    if not patrol and request.form.get("find"):  # look the number up, nothing else yet
        db.session.commit()
        found = service.find_resident(db.session, form.phone.data or "")
        for field in form:  # only the number's own problem, if any, is said
            if field is not form.phone:
                field.errors = []
        form._errors = None
        return _page(form, uploads.files, patrol, found=found, looked_up=True)
    if not valid or form.photos.errors:
        db.session.commit()  # keep the photos that were fine for the next try
        return _page(form, uploads.files, patrol, status=422)
    category = next(c for c in categories if c.id == form.category.data)
    common = dict(category=category, description=form.description.data,
                  building=form.building.data, location=form.location.data or "",
                  urgent=form.urgent.data, many_households=form.many_households.data,
                  idempotency_key=form.idempotency_key.data, photos=uploads.files)
    try:
        with db.session.begin_nested():  # a refusal undoes the request, not the photos
            if patrol:
                created = service.patrol(db.session, current_user, **common)
            else:
                created = service.record(db.session, current_user, channel=form.channel.data,
                                         phone=form.phone.data or "",
                                         contact_name=form.contact_name.data or "",
                                         order_number=form.order_number.data or "", **common)
        db.session.commit()
    except DomainError as error:
        db.session.commit()  # the photos stay for the next try
        return refused(error, PAGE, form=form, pending=uploads.files, patrol=patrol,
                       found=None, looked_up=False, max_photos=MAX_PHOTOS)
    except IntegrityError:  # the same form sent twice at the same moment
        db.session.rollback()
        created = service.by_key(db.session, form.idempotency_key.data)
        if created is None:
            raise
    flash(_("Request %(ref)s recorded.", ref=created.ref), "success")
    return redirect(url_for("staff_requests.detail", ref=created.ref), 303)


@bp.route("/requests/new", methods=["GET", "POST"])
@form_view
def record():
    return _record(patrol=False)


@bp.route("/requests/patrol", methods=["GET", "POST"])
@form_view
def patrol():
    return _record(patrol=True)
