"""The back office for notices and alerts: /staff/notices."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.checkins import service as checkins
from portal.clock import from_local, to_local_input, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import IMAGES_AND_PDF, take_uploads
from portal.notices import service
from portal.notices.forms import AlertForm, NoticeForm
from portal.notices.models import Notice
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render, wants_fragment

bp = staff_blueprint("staff_notices", __name__, "/staff/notices")


@bp.before_request
def require_permission():
    deny_unless(Permission.PUBLISH_NOTICES)


@bp.get("")
def index():
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=30)
    return render("notices/staff/index.html", page=page, now=utcnow())


def _attachment(form: NoticeForm):
    """The file chosen now, or the one kept from an earlier try; refusals go on the form.

    Called after the form is validated, since validation clears a field's errors. A refused
    replacement leaves the kept file in place.
    """
    uploads = take_uploads(db.session, [request.files.get(form.attachment.name)],
                           kept=[form.attachment_token.data or ""], owner_id=current_user.id,
                           area=service.AREA, allowed=IMAGES_AND_PDF)
    for message in uploads.errors:
        form.add_error(message, "attachment")
    if not uploads.errors:
        form.attachment_token.data = uploads.tokens
    return uploads.first


def _preview_notice(form: NoticeForm, notice: Notice | None, attachment) -> Notice:
    """An unsaved notice holding the form's values: rendered by the residents' template."""
    return Notice(kind=form.kind.data, title=form.title.data or "", body=form.body.data or "",
                  pinned=form.pinned.data, expires_at=from_local(form.expires_at.data),
                  published_at=notice.published_at if notice else utcnow(),
                  attachment=attachment or (notice.attachment if notice else None))


def _form_page(form, notice=None, preview=None, status=200):
    return render("notices/staff/form.html", "notices/staff/_preview.html", status=status,
                  form=form, notice=notice, preview=preview, partial=wants_fragment())


def _save(form: NoticeForm, notice: Notice | None):
    valid = form.validate_on_submit()
    attachment = _attachment(form)
    valid = valid and not form.attachment.errors
    if request.form.get("action") == "preview" or request.args.get("preview"):
        db.session.commit()  # keeps the uploaded file for the real submit
        preview = _preview_notice(form, notice, attachment) if valid else None
        return _form_page(form, notice, preview=preview, status=200 if valid else 422)
    if valid:
        saved = service.save_notice(
            db.session, notice, form_key=form.form_key.data, author_id=current_user.id,
            attachment=attachment, actor=current_user, kind=form.kind.data, title=form.title.data,
            body=form.body.data, pinned=form.pinned.data,
            expires_at=from_local(form.expires_at.data))
        db.session.commit()
        flash(_("Published. Residents can read it now.") if notice is None else
              _("Changes saved."), "success")
        return redirect(url_for(".edit", notice_id=saved.id), 303)
    db.session.commit()  # keeps an uploaded file while the person fixes the form
    return _form_page(form, notice, status=422)


@bp.route("/new", methods=["GET", "POST"])
@form_view
def new():
    form = NoticeForm()
    if request.method == "GET":
        return _form_page(form)
    return _save(form, None)


def _notice_or_404(notice_id: int) -> Notice:
    notice = service.get_notice(db.session, notice_id)
    if notice is None:
        abort(404)
    return notice


@bp.route("/<int:notice_id>", methods=["GET", "POST"])
@form_view
def edit(notice_id):
    notice = _notice_or_404(notice_id)
    if request.method == "GET":
        form = NoticeForm(obj=notice, formdata=None)
        form.expires_at.data = to_local_input(notice.expires_at)
        return _form_page(form, notice)
    return _save(NoticeForm(), notice)


@bp.post("/<int:notice_id>/withdraw")
def withdraw(notice_id):
    notice = _notice_or_404(notice_id)
    if ActionForm().validate_on_submit():
        service.withdraw_notice(notice, current_user)
        db.session.commit()
        flash(_("Withdrawn. Residents no longer see it."), "success")
    return redirect(url_for(".index"), 303)


def _alerts_page(form, status=200):
    page = paginate(db.session, service.alerts_statement(), page_number(), per_page=20)
    return render("notices/staff/alerts.html", status=status, form=form, page=page,
                  now=utcnow(), checkin_levels=checkins.LEVELS,
                  may_open_checkins=current_user.can(Permission.MANAGE_CHECKINS),
                  checkins=checkins.for_alerts(db.session, [alert.id for alert in page.items]))


@bp.get("/alerts")
def alerts():
    return _alerts_page(AlertForm())


@bp.post("/alerts")
@form_view
def raise_alert():
    form = AlertForm()
    valid = form.validate_on_submit()  # first: validating clears a field's errors
    with_checkin = form.open_checkin.data and current_user.can(Permission.MANAGE_CHECKINS)
    if with_checkin and form.level.data not in checkins.LEVELS:
        form.add_error(_("A safety check-in is for orange and red warnings."), "open_checkin")
    elif with_checkin and checkins.open_checkin_for(db.session) is not None:
        form.add_error(_("A check-in is already open. Close it before opening another."),
                       "open_checkin")
    if valid and not form.open_checkin.errors:
        now = utcnow()
        alert = service.raise_alert(
            db.session, form_key=form.form_key.data, level=form.level.data,
            kind=form.kind.data, text=form.text.data, expires_at=from_local(form.expires_at.data),
            author_id=current_user.id, link=url_for("notices.index"), actor=current_user)
        if with_checkin and checkins.for_alerts(db.session, [alert.id]) == {}:
            _open_checkin(alert, now)
        db.session.commit()
        flash(_("Warning raised. Every resident has been sent a message."), "success")
        return redirect(url_for(".alerts"), 303)
    return _alerts_page(form, status=422)


def _open_checkin(alert, now):
    return checkins.open_checkin(
        db.session, alert, now, actor=current_user,
        link=lambda checkin: url_for("checkins.answer", checkin_id=checkin.id))


@bp.post("/alerts/<int:alert_id>/checkin")
def open_checkin(alert_id):
    """The warning's button: open a safety check-in for it (portal/checkins)."""
    deny_unless(Permission.MANAGE_CHECKINS)
    alert = service.get_alert(db.session, alert_id)
    if alert is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".alerts"), 303)
    try:
        checkin = _open_checkin(alert, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".alerts"), 303)
    db.session.commit()
    flash(_("Check-in opened. Every resident has been sent a message with a link to answer."),
          "success")
    return redirect(url_for("staff_checkins.live", checkin_id=checkin.id), 303)


@bp.post("/alerts/<int:alert_id>/withdraw")
def withdraw_alert(alert_id):
    alert = service.get_alert(db.session, alert_id)
    if alert is None:
        abort(404)
    if ActionForm().validate_on_submit():
        service.withdraw_alert(alert, current_user)
        db.session.commit()
        flash(_("Warning withdrawn."), "success")
    return redirect(url_for(".alerts"), 303)
