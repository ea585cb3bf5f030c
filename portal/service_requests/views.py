"""The resident side: /requests/, /requests/new, /requests/<ref>."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import take_uploads
from portal.satisfaction import Level
from portal.service_requests import service
from portal.service_requests.forms import MAX_PHOTOS, DisputeForm, RatingForm, RequestForm
from portal.web import typed
from portal.web.address import address
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.inputs import int_arg
from portal.web.pagination import page_number, paginate
from portal.web.render import render, render_form_errors

bp = Blueprint("requests", __name__, url_prefix="/requests")
MAX_PHOTO_BYTES = 8 * 1024 * 1024


@bp.get("/")
@login_required
def index():
    page = paginate(db.session, service.resident_statement(current_user.id), page_number(),
                    per_page=20)
    page.items = [service.as_seen_by(item, current_user.id) for item in page.items]
    return render("service_requests/index.html", "service_requests/_list.html", page=page,
                  labels=service.STATUS_LABELS)


def _category_choices(categories):
    from portal.service_requests import category_name

    return [SelectChoice(category.id, category_name(category)) for category in categories]


def _new_page(form, pending, status=200):
    similar = []
    if form.category.data and form.building.data:
        similar = service.similar_open(db.session, form.building.data, form.category.data)
    page = render_form_errors if status == 422 else render
    return page("service_requests/new.html", form=form, pending=pending, similar=similar,
                own_refs=_own_refs(similar), max_photos=MAX_PHOTOS)


def _unit_and_room(user) -> str:
    """The prefilled "where exactly": 2单元502室, as the office reads it whatever the
    resident's language (it is stored as typed)."""
    with force_locale("zh_Hans_CN"):
        return address(unit=user.unit, room=user.room)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@form_view
def new():
    categories = service.categories(db.session)
    if request.method == "GET":
        # The first step without JavaScript: "check for similar requests" comes back here.
        form = RequestForm(formdata=request.args or None, building=current_user.building,
                           location=_unit_and_room(current_user),
                           idempotency_key=secrets.token_urlsafe(24))
        form.category.choices = _category_choices(categories)
        if not form.idempotency_key.data:
            form.idempotency_key.data = secrets.token_urlsafe(24)
        return _new_page(form, [])

    form = RequestForm()
    form.category.choices = _category_choices(categories)
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:  # change nothing: not even the uploads
        kept = take_uploads(db.session, (), kept=_tokens(form), owner_id=current_user.id,
                            area=service.AREA, max_files=MAX_PHOTOS)
        return _new_page(form, kept.files, status=422)

    existing = service.find_by_key(db.session, current_user.id, form.idempotency_key.data or "")
    if existing is not None:  # a double click or a resubmitted form
        return redirect(url_for("requests.detail", ref=existing.ref, submitted=1), 303)

    uploads = take_uploads(db.session, request.files.getlist(form.photos.name),
                           kept=_tokens(form), owner_id=current_user.id, area=service.AREA,
                           max_bytes=MAX_PHOTO_BYTES, max_files=MAX_PHOTOS)
    form.photos.errors = [*form.photos.errors, *uploads.errors]
    form.photo_tokens.data = uploads.tokens
    pending = uploads.files

    if request.form.get("check_similar"):  # the first step without JavaScript: no errors yet
        for field in form:
            if field is not form.photos:
                field.errors = []
        form._errors = None
        db.session.commit()
        return _new_page(form, pending)
    if not valid or form.photos.errors:
        db.session.commit()  # keep the photos that were fine for the next try
        return _new_page(form, pending, status=422)

    category = next(c for c in categories if c.id == form.category.data)
    try:
        created = service.submit(
            db.session, current_user, category=category, description=form.description.data,
            building=form.building.data, location=form.location.data or "",
            urgent=form.urgent.data, many_households=form.many_households.data,
            idempotency_key=form.idempotency_key.data, photos=pending)
        db.session.commit()
    except IntegrityError:  # the same form submitted twice at the same moment
        db.session.rollback()
        created = service.find_by_key(db.session, current_user.id, form.idempotency_key.data)
        if created is None:
            raise
    return redirect(url_for("requests.detail", ref=created.ref, submitted=1), 303)


def _tokens(form) -> list[str]:
    return (form.photo_tokens.data or "").split()


@bp.get("/similar")
@login_required
def similar():
    building = typed.building(request.args.get("building", "").strip())[:20]
    items = service.similar_open(db.session, building, int_arg("category", 0))
    return render("service_requests/similar.html", "service_requests/_similar.html",
                  similar=items, own_refs=_own_refs(items))


def _own_refs(summaries) -> set[str]:
    """Which of these summaries are the person's own requests (to open rather than follow)."""
    refs = [summary.ref for summary in summaries]
    return service.owned_refs(db.session, current_user.id, refs) if refs else set()


def _own_or_404(ref):
    found = service.own_request(db.session, current_user.id, ref)
    if found is None:
        abort(404)
    return found


def _detail_page(item, rating_form=None, status=200, dispute_form=None):
    now = utcnow()
    rating_form = rating_form or RatingForm(formdata=None)
    dispute_form = dispute_form or DisputeForm(formdata=None, prefix="dispute")
    return render(
        "service_requests/detail.html", status=status, item=item,
        events=service.timeline(db.session, item.id, public_only=True),
        photos=service.photos(db.session, item.id), rating_form=rating_form,
        dispute_form=dispute_form,
        can_rate=item.owner_id == current_user.id and service.rating_open(item, now),
        can_withdraw=(item.owner_id == current_user.id and
                      service.WITHDRAWN in service.allowed_next(item.status, service.OWNER)),
        submitted=request.args.get("submitted") == "1", action=ActionForm(formdata=None),
        rating_days=service.Sla.from_config().rating_days, levels=Level)


@bp.get("/<ref>")
@login_required
def detail(ref):
    item = service.own_request(db.session, current_user.id, ref)
    if item is None:  # a request this person follows: its public summary, nothing private
        summary = service.followed_summary(db.session, current_user.id, ref)
        if summary is None:
            abort(404)
        return render("service_requests/summary.html", summary=summary)
    if service.close_resolved_unrated(db.session, request=item):  # the lazy half of auto-close
        db.session.commit()
    return _detail_page(item)


@bp.post("/<ref>/withdraw")
@login_required
def withdraw(ref):
    item = _own_or_404(ref)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.withdraw(db.session, item, current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Your request is withdrawn."), "success")
    return redirect(url_for("requests.detail", ref=ref), 303)


@bp.post("/<ref>/rate")
@login_required
@form_view
def rate(ref):
    item = _own_or_404(ref)
    form = RatingForm()
    if not form.validate_on_submit():
        return _detail_page(item, rating_form=form, status=422)
    try:
        service.rate(db.session, item, current_user, Level(form.level.data), form.comment.data)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("requests.detail", ref=ref), 303)
    db.session.commit()
    if Level(form.level.data).is_unhappy:
        flash(_("Thank you. We are sorry it wasn't right: the request is open again and the "
                "director will look at it."), "success")
    else:
        flash(_("Thank you for your rating."), "success")
    return redirect(url_for("requests.detail", ref=ref), 303)


@bp.post("/<ref>/dispute")
@login_required
@form_view
def dispute(ref):
    """"Not solved yet": the request goes back to work with the resident's words."""
    item = _own_or_404(ref)
    form = DisputeForm(prefix="dispute")
    if not form.validate_on_submit():
        return _detail_page(item, dispute_form=form, status=422)
    try:
        service.dispute(db.session, item, current_user, form.reason.data)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("requests.detail", ref=ref), 303)
    db.session.commit()
    flash(_("Thank you for telling us. The request is open again and its handler has been "
            "told."), "success")
    return redirect(url_for("requests.detail", ref=ref), 303)


@bp.post("/<ref>/follow")
@login_required
def follow(ref):
    if not ActionForm().validate_on_submit():
        abort(400)
    item = service.by_ref(db.session, ref)
    if item is None:
        abort(404)
    try:
        service.follow(db.session, current_user, item)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("You now follow request %(ref)s. We will tell you when it moves on.", ref=ref),
          "success")
    return redirect(url_for("requests.detail", ref=ref), 303)
