"""Resident pages: guides, the task list, check answers, confirmation, progress, notices."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.aid import service
from portal.aid.forms import (
    ApplicantForm,
    ConsentForm,
    MemberForm,
    StartForm,
    income_defaults,
    income_form,
)
from portal.clock import today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import IMAGES_AND_PDF, take_uploads
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors, wants_fragment

bp = Blueprint("aid", __name__, url_prefix="/aid")


def _mine(key):
    if current_user.is_staff:
        abort(404)
    application = service.own_application(db.session, current_user.id, key)
    if application is None:
        abort(404)
    return application


def _editable(key):
    application = _mine(key)
    if application.stage not in service.EDITABLE:
        return application, redirect(url_for("aid.progress", key=application.url_key), 303)
    return application, None


def _after_section(application, back):
    target = "aid.check" if back == "check" else "aid.progress"
    return redirect(url_for(target, key=application.url_key), 303)


@bp.get("/")
@login_required
def index():
    mine = [] if current_user.is_staff else service.my_applications(db.session, current_user.id)
    return render("aid/index.html", applications=mine, types=service.list_types(db.session),
                  labels=service.STAGE_LABELS)


@bp.get("/types/<code>")
def guide(code):
    aid_type = service.get_type(db.session, code)
    if aid_type is None:
        abort(404)
    return render("aid/guide.html", aid_type=aid_type, service=service)


def _start_form(formdata=None, **defaults):
    form = StartForm(formdata=formdata, **defaults)
    form.aid_type.choices = [SelectChoice(t.code, service.localized(t, "name"))
                             for t in service.list_types(db.session)]
    if not form.start_key.data:
        form.start_key.data = secrets.token_urlsafe(16)
    return form


@bp.get("/new")
@login_required
def new():
    if current_user.is_staff:
        abort(403)
    return render("aid/new.html", form=_start_form(aid_type=request.args.get("type")))


@bp.post("/new")
@login_required
@form_view
def start():
    if current_user.is_staff:
        abort(403)
    form = _start_form(request.form)
    if not form.validate_on_submit():
        return render_form_errors("aid/new.html", form=form)
    aid_type = service.get_type(db.session, form.aid_type.data)
    application = service.start_application(db.session, current_user, aid_type, form.kind.data,
                                            form.start_key.data)
    db.session.commit()
    return redirect(url_for("aid.progress", key=application.url_key), 303)


@bp.get("/<key>")
@login_required
def progress(key):
    application = _mine(key)
    if application.stage in service.EDITABLE:
        return render("aid/tasks.html", application=application, service=service,
                      state=service.section_state(application),
                      steps=service.progress_steps(db.session, application)
                      if application.ref else [])
    return render("aid/progress.html", application=application, service=service,
                  steps=service.progress_steps(db.session, application),
                  todo=service.resident_todo(application))


# --- 1. Applicant ------------------------------------------------------------------------------

@bp.route("/<key>/applicant", methods=["GET", "POST"])
@login_required
@form_view
def applicant(key):
    application, done = _editable(key)
    if done:
        return done
    if request.method == "GET":
        form = ApplicantForm(formdata=None, name=application.name, phone=application.phone,
                             back=request.args.get("back", ""))
        return render("aid/applicant.html", form=form, application=application)
    form = ApplicantForm()
    if not form.validate_on_submit():
        return render_form_errors("aid/applicant.html", form=form, application=application)
    service.save_applicant(application, name=form.name.data, id_number=form.id_number.data,
                           phone=form.phone.data)
    db.session.commit()
    return _after_section(application, form.back.data)


# --- 2. Household ------------------------------------------------------------------------------

def _household(application, member_form=None, status=200):
    return render("aid/household.html", "aid/_members.html", status=status,
                  application=application, member_form=member_form or MemberForm(formdata=None),
                  back=request.values.get("back", ""), service=service)


@bp.get("/<key>/household")
@login_required
def household(key):
    application, done = _editable(key)
    return done or _household(application)


@bp.post("/<key>/household/members")
@login_required
@form_view
def add_member(key):
    application, done = _editable(key)
    if done:
        return done
    form = MemberForm()
    if not form.validate_on_submit():
        return _household(application, form, status=422)
    service.add_member(db.session, application, name=form.member_name.data,
                       relation=form.relation.data, id_number=form.member_id_number.data,
                       status=form.status.data)
    db.session.commit()
    if wants_fragment():
        return _household(application)
    return redirect(url_for("aid.household", key=application.url_key,
                            back=request.form.get("back") or None), 303)


@bp.post("/<key>/household/members/<int:member_id>/remove")
@login_required
def remove_member(key, member_id):
    application, done = _editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_member(db.session, application, member_id)
    db.session.commit()
    if wants_fragment():
        return _household(application)
    return redirect(url_for("aid.household", key=application.url_key,
                            back=request.form.get("back") or None), 303)


@bp.post("/<key>/household/done")
@login_required
def household_done(key):
    application, done = _editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_done(application, "household")
    db.session.commit()
    return _after_section(application, request.form.get("back"))


# --- 3. Income and assets ----------------------------------------------------------------------

@bp.route("/<key>/income", methods=["GET", "POST"])
@login_required
@form_view
def income(key):
    application, done = _editable(key)
    if done:
        return done
    if request.method == "GET":
        defaults = income_defaults(application, request.args.get("back", ""))
        form = income_form(application, formdata=None, **defaults)
        return render("aid/income.html", form=form, application=application)
    form = income_form(application, formdata=request.form)
    if not form.validate_on_submit():
        return render_form_errors("aid/income.html", form=form, application=application)
    assets = application.aid_type.asks_assets
    service.save_income(
        application, applicant_fen=form.applicant_income.fen,
        member_fen={m.id: getattr(form, f"member_{m.id}").fen for m in application.members},
        irregular=form.irregular.data, housing=form.housing.data if assets else None,
        vehicles=int(form.vehicles.data) if assets else None,
        savings_fen=form.savings.fen if assets else None,
        circumstances=form.circumstances.data or "")
    db.session.commit()
    return _after_section(application, form.back.data)


# --- 4. Materials ------------------------------------------------------------------------------

def _materials(application, errors=None, status=200, pending=None):
    return render("aid/materials.html", status=status, application=application,
                  grouped=service.files_by_item(application), errors=errors or {},
                  back=request.values.get("back", ""), service=service,
                  pending=pending or {})


@bp.get("/<key>/materials")
@login_required
def materials(key):
    application, done = _editable(key)
    return done or _materials(application)


@bp.post("/<key>/materials/<item>")
@login_required
@form_view
def upload(key, item):
    application, done = _editable(key)
    if done:
        return done
    try:
        service.require_item(application, item)
    except service.UnknownItem:
        abort(404)
    # Files kept for this form (after a lapsed page, or a sign-in that ended) come back by token.
    kept = request.form.get("file_tokens", "").split()
    if not ActionForm().validate_on_submit():  # change nothing: only show the kept files
        files = take_uploads(db.session, (), kept=kept, owner_id=current_user.id,
                             area=service.AREA, max_files=service.MAX_FILES).files
        message = (_("We kept the files you chose. Press Upload to add them.") if files else
                   _("The page had expired. Please choose the files again."))
        return _materials(application, {item: message}, status=422, pending={item: files})
    uploads = take_uploads(db.session, request.files.getlist("files"), kept=kept,
                           owner_id=current_user.id, area=service.AREA, allowed=IMAGES_AND_PDF,
                           max_bytes=service.MAX_UPLOAD, max_files=service.MAX_FILES)
    if not uploads.files and not uploads.errors:
        return _materials(application, {item: _("Choose at least one photo or PDF file.")},
                          status=422)
    # The files that were fine are kept on the item; only the refused ones need choosing again.
    service.attach_files(db.session, application, item, uploads.files)
    if uploads.errors:
        db.session.commit()
        return _materials(application, {item: " ".join(uploads.errors)}, status=422)
    db.session.commit()
    flash(_("Uploaded."), "success")
    return redirect(url_for("aid.materials", key=application.url_key,
                            back=request.form.get("back") or None) + f"#item-{item}", 303)


@bp.post("/<key>/files/<int:link_id>/remove")
@login_required
def remove_file(key, link_id):
    application, done = _editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_file(db.session, application, link_id)
    db.session.commit()
    return redirect(url_for("aid.materials", key=application.url_key,
                            back=request.form.get("back") or None), 303)


@bp.post("/<key>/materials/done")
@login_required
def materials_done(key):
    application, done = _editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_done(application, "materials")
    db.session.commit()
    return _after_section(application, request.form.get("back"))


# --- 5. Consent --------------------------------------------------------------------------------

@bp.route("/<key>/consent", methods=["GET", "POST"])
@login_required
@form_view
def consent(key):
    application, done = _editable(key)
    if done:
        return done
    if request.method == "GET":
        given = application.consent_processing_at is not None
        form = ConsentForm(formdata=None, processing=given,
                           check=application.consent_check_at is not None,
                           back=request.args.get("back", ""))
        return render("aid/consent.html", form=form, application=application)
    form = ConsentForm()
    if not form.validate_on_submit():
        return render_form_errors("aid/consent.html", form=form, application=application)
    service.save_consent(application, utcnow())
    db.session.commit()
    return _after_section(application, form.back.data)


# --- 6. Check answers, submit, confirmation ----------------------------------------------------

def _check_context(application) -> dict:
    return dict(application=application, service=service,
                grouped=service.files_by_item(application),
                missing=service.missing_items(application),
                ready=service.ready_to_submit(application))


@bp.get("/<key>/check")
@login_required
def check(key):
    application, done = _editable(key)
    if done:
        return done
    return render("aid/check.html", **_check_context(application))


@bp.post("/<key>/submit")
@login_required
def submit(key):
    application = _mine(key)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired. Please press Send again."), "error")
        return redirect(url_for("aid.check", key=application.url_key), 303)
    try:
        service.submit(db.session, application, today(), utcnow())
    except DomainError as error:
        db.session.rollback()
        return refused(error, "aid/check.html", **_check_context(_mine(key)))
    db.session.commit()
    return redirect(url_for("aid.confirmation", key=application.url_key), 303)


@bp.get("/<key>/confirmation")
@login_required
def confirmation(key):
    application = _mine(key)
    if application.ref is None:
        return redirect(url_for("aid.progress", key=application.url_key), 303)
    return render("aid/confirmation.html", application=application, service=service,
                  missing=service.missing_items(application),
                  steps=service.progress_steps(db.session, application))


@bp.route("/<key>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(key):
    application = _mine(key)
    if application.stage not in service.BEFORE_DECISION:
        return redirect(url_for("aid.progress", key=application.url_key), 303)
    if request.method == "GET" or not ActionForm().validate_on_submit():
        return render("aid/withdraw.html", application=application)
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

