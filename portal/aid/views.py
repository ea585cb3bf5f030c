"""Resident pages: guides, the task list, check answers, confirmation, progress, notices.
The parts of the application itself are in drafting_views."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.accounts.roles import Permission
from portal.aid import service
from portal.aid.forms import (
    StartForm,
)
from portal.audit import service as audit
from portal.clock import today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = Blueprint("aid", __name__, url_prefix="/aid")


def mine(key):
    """The person's own application; for aid staff, one filed on someone's behalf (代办),
    which they fill in here with the family, through the same pages."""
    if current_user.is_staff:
        if not current_user.can(Permission.REVIEW_AID):
            abort(404)
        application = service.filed_by_staff(db.session, key)
    else:
        application = service.own_application(db.session, current_user.id, key)
    if application is None:
        abort(404)
    if current_user.is_staff and request.method == "GET":  # staff reading it: audited
        audit.record(db.session, current_user, service.AREA, "view",
                     application.ref or application.key)
        db.session.commit()
    return application


def editable(key):
    application = mine(key)
    if application.stage not in service.EDITABLE:
        return application, redirect(url_for("aid.progress", key=application.url_key), 303)
    return application, None


@bp.get("/")
@login_required
def index():
    own = [] if current_user.is_staff else service.my_applications(db.session, current_user.id)
    return render("aid/index.html", applications=own, types=service.list_types(db.session),
                  labels=service.STAGE_LABELS)


@bp.get("/types/<code>")
def guide(code):
    aid_type = service.get_type(db.session, code)
    if aid_type is None:
        abort(404)
    return _guide(aid_type, _start_form(aid_type=aid_type.code))


def _guide(aid_type, form, status=200):
    # The guide's own button starts an application of its type: no second screen to choose it.
    return render("aid/guide.html", status=status, aid_type=aid_type, service=service, form=form,
                  may_start=current_user.is_authenticated and not current_user.is_staff)


def _start_form(formdata=None, **defaults):
    form = StartForm(formdata=formdata, **defaults)
    types = service.list_types(db.session)
    form.aid_type.choices = [SelectChoice(t.code, service.localized(t, "name")) for t in types]
    form.with_kinds = frozenset(t.code for t in types if t.has_kinds)
    if not form.start_key.data:
        form.start_key.data = secrets.token_urlsafe(16)
    return form


def _new_context(form) -> dict:
    """The types to choose from; or, once a type with kinds is chosen, only its question
    (急难型 or 支出型): no other type is asked it."""
    chosen = service.get_type(db.session, form.aid_type.data or "")
    asking = chosen if chosen is not None and chosen.has_kinds else None
    return dict(form=form, asking=asking, service=service)


@bp.get("/new")
@login_required
def new():
    if current_user.is_staff:
        abort(403)
    return render("aid/new.html", **_new_context(_start_form(aid_type=request.args.get("type"))))


@bp.post("/new")
@login_required
@form_view
def start():
    if current_user.is_staff:
        abort(403)
    form = _start_form(request.form)
    if not form.validate_on_submit():
        # Sent from a guide: its errors (the 临时救助 question) are shown on that guide.
        from_guide = service.get_type(db.session, request.form.get("guide", ""))
        if from_guide is not None and from_guide.code == form.aid_type.data:
            return _guide(from_guide, form, status=422)
        return render_form_errors("aid/new.html", **_new_context(form))
    if form.needs_kind():  # chosen on /aid/new: its own question next
        return render("aid/new.html", **_new_context(form))
    aid_type = service.get_type(db.session, form.aid_type.data)
    application = service.start_application(db.session, current_user, aid_type, form.kind.data,
                                            form.start_key.data)
    db.session.commit()
    return redirect(url_for("aid.applicant", key=application.url_key), 303)


@bp.get("/<key>")
@login_required
def progress(key):
    application = mine(key)
    if application.stage in service.EDITABLE:
        return render("aid/tasks.html", application=application, service=service,
                      state=service.section_state(application),
                      missing=service.missing_items(application),
                      steps=service.progress_steps(db.session, application)
                      if application.ref else [])
    return render("aid/progress.html", **_progress_context(application))


def _progress_context(application) -> dict:
    return dict(application=application, service=service, now=utcnow(),
                steps=service.progress_steps(db.session, application),
                todo=service.resident_todo(application))


# --- 6. Check answers, submit, confirmation ----------------------------------------------------

def _check_context(application) -> dict:
    return dict(application=application, service=service,
                grouped=service.files_by_item(application),
                missing=service.missing_items(application),
                ready=service.ready_to_submit(application))


@bp.get("/<key>/check")
@login_required
def check(key):
    application, done = editable(key)
    if done:
        return done
    return render("aid/check.html", **_check_context(application))


@bp.post("/<key>/submit")
@login_required
def submit(key):
    application = mine(key)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired. Please press Send again."), "error")
        return redirect(url_for("aid.check", key=application.url_key), 303)
    try:
        service.submit(db.session, application, today(), utcnow())
    except DomainError as error:
        db.session.rollback()
        return refused(error, "aid/check.html", **_check_context(mine(key)))
    if application.filed_by_id is not None:  # 代办: the referral it answers is closed
        from portal.care import behalf

        behalf.submitted(db.session, application, current_user, utcnow())
    db.session.commit()
    return redirect(url_for("aid.confirmation", key=application.url_key), 303)


@bp.get("/<key>/confirmation")
@login_required
def confirmation(key):
    application = mine(key)
    if application.submitted_at is None:  # never sent, or taken back: no receipt
        return redirect(url_for("aid.progress", key=application.url_key), 303)
    return render("aid/confirmation.html", application=application, service=service,
                  missing=service.missing_items(application), now=utcnow(),
                  steps=service.progress_steps(db.session, application))


@bp.get("/<key>/letter")
@login_required
def letter(key):
    """The 申请书 and 核对授权书 made from the answers and consents, to print and sign if the
    office asks for a signature: nothing the resident has to write or upload."""
    application = mine(key)
    return render("aid/letter.html", application=application, service=service,
                  back=url_for("aid.progress", key=application.url_key))


@bp.post("/<key>/undo")
@login_required
def undo(key):
    """Take a just-sent application back to change it (issue 17: within 10 minutes)."""
    application = mine(key)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired. Please press the button again."), "error")
        return redirect(url_for("aid.progress", key=application.url_key), 303)
    return _take_back(application)


def _take_back(application):
    try:
        service.undo_submit(db.session, application, current_user, utcnow())
    except DomainError as error:
        db.session.rollback()
        return refused(error, "aid/progress.html", **_progress_context(mine(application.url_key)))
    db.session.commit()
    flash(_("It is back with you and has not reached the office. Change what you need, then "
            "send it again."), "success")
    return redirect(url_for("aid.progress", key=application.url_key), 303)


@bp.route("/<key>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(key):
    application = mine(key)
    if application.stage not in service.BEFORE_DECISION:
        return redirect(url_for("aid.progress", key=application.url_key), 303)
    if request.method == "GET" or not ActionForm().validate_on_submit():
        return render("aid/withdraw.html", application=application, service=service,
                      now=utcnow())
    if service.may_undo(application, utcnow()):
        # Within the 10 minutes it has not reached the office: withdrawing makes it the
        # person's draft again, never a withdrawal staff would see.
        return _take_back(application)
    service.withdraw(db.session, application, today())
    db.session.commit()
    flash(_("Your application has been withdrawn."), "success")
    return redirect(url_for("aid.index"), 303)


# --- Public notices ----------------------------------------------------------------------------

@bp.get("/notices")
def notices():
    page = paginate(db.session, service.current_notices_statement(today()),
                    page_number(), per_page=30, scalars=False)
    return render("aid/notices.html", page=page, rows=service.public_notice_rows(page.items))

