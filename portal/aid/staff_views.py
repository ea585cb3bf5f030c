"""Back office: the aid queue, one application's review, aid types, holidays, audit log."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.aid import forms, idnumber, service
from portal.aid.models import AidHoliday
from portal.extensions import db
from portal.files.service import UploadRejected
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render, render_form_errors

bp = staff_blueprint("aid_staff", __name__, "/staff/aid")

@bp.before_request
def require_reviewer():
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if endpoint.startswith(("type", "holiday")):
        deny_unless(Permission.MANAGE_AID_TYPES)
    elif endpoint == "audit_log":
        deny_unless(Permission.READ_AUDIT_LOG)
    else:
        deny_unless(Permission.REVIEW_AID)


def _filters():
    args = request.args
    id_number = idnumber.normalise(args.get("id", ""))
    return {"type_code": args.get("type") or None,
            "stage": args.get("stage") if args.get("stage") in service.STAGE_LABELS else None,
            "due": args.get("due") if args.get("due") in ("overdue", "soon") else None,
            "id_number": id_number or None}


@bp.get("")
def queue():
    filters = _filters()
    today = service.local_today()
    statement = service.queue_statement(db.session, today=today, **filters)
    page = paginate(db.session, statement, page_number(), per_page=50)
    if filters["id_number"]:
        service.audit(db.session, current_user, None, "search", "ID number lookup")
        db.session.commit()
    return render("aid/staff/queue.html", "aid/staff/_queue_table.html", page=page,
                  filters=filters, types=service.list_types(db.session), today=today,
                  labels=service.STAGE_LABELS)


def _filter_text(filters):
    return ", ".join(f"{k}={v}" for k, v in filters.items() if v and k != "id_number")


@bp.get("/export.csv")
def export():
    """The filtered queue as CSV: references, stages and dates only, no personal data."""
    filters = _filters()
    today = service.local_today()
    statement = service.queue_statement(db.session, today=today, **filters).limit(5000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ref", "type", "stage", "submitted_at", "stage_due_on", "deadline_on"])
    count = 0
    for application in db.session.scalars(statement):
        writer.writerow([application.ref, application.aid_type.code, application.stage,
                         application.submitted_at.date() if application.submitted_at else "",
                         application.stage_due_on or "", application.deadline_on or ""])
        count += 1
    service.audit(db.session, current_user, None, "export",
                  f"{count} rows; filters: {_filter_text(filters)}")
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=aid-queue.csv"})


def _application(ref):
    application = service.staff_application(db.session, ref)
    if application is None:
        abort(404)
    return application


def _page(application, status=200, revealed=None, forms_=None):
    reviews = {r.item: r for r in service.material_reviews(db.session, application)}
    grouped = service.files_by_item(application)
    context = dict(
        application=application, service=service, revealed=revealed, reviews=reviews,
        grouped=grouped, duplicates=service.same_household(db.session, application),
        payments=service.payments(db.session, application),
        steps=service.progress_steps(db.session, application),
        decision_due=service.decision_due(db.session, application),
        today=service.local_today(),
        return_form=forms.ReturnForm(formdata=None),
        investigation_form=forms.InvestigationForm(formdata=None,
                                                   visited_on=service.local_today()),
        notice_form=forms.NoticeForm(formdata=None),
        decision_form=forms.DecisionForm(formdata=None),
        payment_form=forms.PaymentForm(formdata=None,
                                       month=service.local_today().strftime("%Y-%m"),
                                       amount=""),
        review_form=forms.ReviewForm(formdata=None),
        extend_form=forms.ExtendForm(formdata=None),
    )
    context.update(forms_ or {})
    return render("aid/staff/application.html", status=status, **context)


@bp.get("/<ref>")
def application(ref):
    application = _application(ref)
    service.audit(db.session, current_user, application, "view")
    db.session.commit()
    return _page(application)


@bp.post("/<ref>/reveal")
def reveal(ref):
    application = _application(ref)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.audit(db.session, current_user, application, "reveal", "ID numbers")
    db.session.commit()
    return _page(application, revealed=service.reveal_ids(application))


def _done(application, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("aid_staff.application", ref=application.ref), 303)


def _refused(application, error, name, form):
    """The rules said no: nothing is saved, the form comes back with what was typed."""
    db.session.rollback()
    flash(str(error.message), "error")
    return _page(_application(application.ref), status=422, forms_={name: form})


@bp.post("/<ref>/materials/<item>")
@form_view
def review_material(ref, item):
    application = _application(ref)
    form = forms.MaterialReviewForm(prefix=f"m-{item}")
    if not form.validate_on_submit():
        flash(_("Choose OK or missing for the item."), "error")
        return redirect(url_for("aid_staff.application", ref=ref) + f"#item-{item}", 303)
    try:
        service.review_material(db.session, application, current_user, item,
                                form.verdict.data == "ok", form.note.data or "")
    except service.StageError:
        abort(404)
    service.audit(db.session, current_user, application, "review_material",
                  f"{item}: {form.verdict.data}")
    db.session.commit()
    return redirect(url_for("aid_staff.application", ref=ref) + f"#item-{item}", 303)


def _action(ref, name, form_class, act, success):
    """Validate a stage form, run the transition, audit it; 422 with the form on failure."""
    application = _application(ref)
    form = form_class()
    if not form.validate_on_submit():
        return _page(application, status=422, forms_={name: form})
    try:
        detail = act(application, form)
    except (service.StageError, UploadRejected) as error:
        return _refused(application, error, name, form)
    service.audit(db.session, current_user, application, name, detail or "")
    return _done(application, success)


@bp.post("/<ref>/accept")
def accept(ref):
    return _action(ref, "accept", ActionForm,
                   lambda a, f: service.accept(db.session, a, current_user,
                                               service.local_today()),
                   _("Accepted. The resident has been told."))


@bp.post("/<ref>/return")
@form_view
def return_(ref):
    def act(application, form):
        items = service.return_for_materials(db.session, application, current_user,
                                             service.local_today(), form.note.data or "")
        return "; ".join(items)[:300]

    return _action(ref, "return_form", forms.ReturnForm, act,
                   _("Returned. The resident has one notice listing everything needed."))


@bp.post("/<ref>/investigation")
@form_view
def investigation(ref):
    def act(application, form):
        names = [form.investigator_1.data, form.investigator_2.data, form.investigator_3.data]
        photos = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
        service.record_investigation(db.session, application, current_user,
                                     service.local_today(), investigators=names,
                                     visited_on=form.visited_on.data,
                                     findings=form.findings.data, photos=photos)

    return _action(ref, "investigation_form", forms.InvestigationForm, act,
                   _("Household visit recorded."))


@bp.post("/<ref>/notice")
@form_view
def notice(ref):
    return _action(ref, "notice_form", forms.NoticeForm,
                   lambda a, f: service.start_notice(db.session, a, current_user,
                                                     service.local_today(), f.proposed.fen),
                   _("The public notice has started."))


@bp.post("/<ref>/decision")
@form_view
def decision(ref):
    def act(application, form):
        approve = form.outcome.data == "approve"
        service.decide(db.session, application, current_user, service.local_today(),
                       approve=approve, amount_fen=form.amount.fen,
                       start_month=form.start_month.data, reasons=form.reasons.data or "",
                       review_months=int(form.review_months.data))
        return form.outcome.data

    return _action(ref, "decision_form", forms.DecisionForm, act, _("Decision recorded."))


@bp.post("/<ref>/payments")
@form_view
def payment(ref):
    def act(application, form):
        service.record_payment(db.session, application, current_user, service.local_today(),
                               month=form.month.data, amount_fen=form.amount.fen)
        return form.month.data

    return _action(ref, "payment_form", forms.PaymentForm, act, _("Payment recorded."))


@bp.post("/<ref>/review")
@form_view
def review(ref):
    def act(application, form):
        service.schedule_review(db.session, application, current_user, service.local_today(),
                                form.review_on.data)
        return form.review_on.data.isoformat()

    return _action(ref, "review_form", forms.ReviewForm, act, _("Review scheduled."))


@bp.post("/<ref>/extend")
@form_view
def extend(ref):
    return _action(ref, "extend_form", forms.ExtendForm,
                   lambda a, f: service.extend_deadline(db.session, a, current_user,
                                                        service.local_today(), f.reason.data),
                   _("Time limit extended to 45 working days."))


@bp.post("/<ref>/complete")
def complete(ref):
    return _action(ref, "complete", ActionForm,
                   lambda a, f: service.complete_paperwork(db.session, a, current_user,
                                                           service.local_today()),
                   _("Paperwork complete."))


# --- Audit log ---------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    """The aid audit is part of the one audit log now."""
    return redirect(url_for("staff_audit.audit_log", area="aid"), 301)


# --- Aid types and the holiday table -----------------------------------------------------------

@bp.get("/types")
def types():
    return render("aid/staff/types.html", types=service.list_types(db.session), service=service)


@bp.route("/types/<code>", methods=["GET", "POST"])
@form_view
def type_edit(code):
    aid_type = service.get_type(db.session, code)
    if aid_type is None:
        abort(404)
    if request.method == "GET":
        form = forms.TypeForm(formdata=None, obj=aid_type)
        form.materials.data = service.materials_text(aid_type)
        return render("aid/staff/type_edit.html", form=form, aid_type=aid_type)
    form = forms.TypeForm()
    if not form.validate_on_submit():
        return render_form_errors("aid/staff/type_edit.html", form=form, aid_type=aid_type)
    materials = service.keep_material_keys(aid_type.materials,
                                           service.parse_materials(form.materials.data))
    service.update_type(aid_type, description_zh=form.description_zh.data,
                        description_en=form.description_en.data,
                        eligibility_zh=form.eligibility_zh.data,
                        eligibility_en=form.eligibility_en.data, materials=materials)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("aid_staff.types"), 303)


@bp.route("/holidays", methods=["GET", "POST"])
@form_view
def holidays():
    form = forms.HolidayForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        holiday = db.session.get(AidHoliday, form.day.data) or AidHoliday(day=form.day.data)
        holiday.is_workday = form.is_workday.data
        holiday.note = form.note.data or ""
        db.session.add(holiday)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("aid_staff.holidays"), 303)
    page = paginate(db.session, service.holidays_statement(), page_number(), per_page=50)
    status = 422 if form.errors else 200
    return render("aid/staff/holidays.html", status=status, form=form, page=page)


@bp.post("/holidays/<day>/remove")
def holiday_remove(day):
    if not ActionForm().validate_on_submit():
        abort(400)
    from datetime import date

    try:
        holiday = db.session.get(AidHoliday, date.fromisoformat(day))
    except ValueError:
        abort(404)
    if holiday is not None:
        db.session.delete(holiday)
        db.session.commit()
    return redirect(url_for("aid_staff.holidays"), 303)

