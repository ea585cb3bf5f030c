"""Back office: the aid queue, the ID-number search, the export and one application's review.
Aid types, the holiday table and aid's audit log are in staff_settings_views."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.aid import forms, idnumber, service
from portal.audit import service as audit
from portal.clock import today
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import IMAGES_AND_PDF, take_uploads
from portal.web.errors import form_view
from portal.web.exports import export_response
from portal.web.forms import ActionForm
from portal.web.pagination import page_number
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("aid_staff", __name__, "/staff/aid")

QUEUE_PAGE = "aid/staff/queue.html"
QUEUE_FRAGMENT = "aid/staff/_queue_table.html"
APPLICATION_PAGE = "aid/staff/application.html"


@bp.before_request
def require_reviewer():
    deny_unless(Permission.REVIEW_AID)


def _audit(application, action: str, detail: str = "") -> None:
    audit.record(db.session, current_user, service.AREA, action,
                 application.ref if application is not None else "", detail)


def _queue_page(filters, search_form, status=200, searched=""):
    statement = service.queue_statement(db.session, filters, today())
    page = service.queue_page(db.session, statement, 1 if searched else page_number())
    return render(QUEUE_PAGE, QUEUE_FRAGMENT, status=status, page=page, filters=filters,
                  search_form=search_form, searched=searched, today=today(),
                  types=service.list_types(db.session), labels=service.STAGE_LABELS,
                  stages=service.QUEUE_STAGES, open_stages=service.OPEN_STAGES,
                  behalf_drafts=service.drafts_filed_by(db.session, current_user.id))


@bp.get("")
def queue():
    return _queue_page(service.QueueFilters.from_args(request.args),
                       forms.IdSearchForm(formdata=None))


@bp.post("/search")
@form_view
def search():
    """Find a household's applications by an ID number sent in the body, never in a URL."""
    form = forms.IdSearchForm()
    filters = service.QueueFilters.from_args(request.form)
    if not form.validate_on_submit():
        return _queue_page(filters, form, status=422)
    filters.id_number = form.id_number.data
    _audit(None, "search")
    db.session.commit()
    # The page names the number masked only, and the box comes back empty.
    return _queue_page(filters, forms.IdSearchForm(formdata=None),
                       searched=idnumber.mask(filters.id_number))


@bp.get("/export.<any(csv, xlsx):fmt>")
def export(fmt):
    """The filtered queue: references, types, stages and dates only, no personal data."""
    filters = service.QueueFilters.from_args(request.args)
    statement = service.queue_statement(db.session, filters, today())
    _audit(None, "export", ", ".join(f"{key}={value}"
                                     for key, value in filters.url_args().items()))
    db.session.commit()
    english = not str(get_locale()).startswith("zh")
    return export_response("aid", service.EXPORT_HEADERS,
                           lambda session: service.export_rows(session, statement, english),
                           fmt, title=_("Aid applications"))


def _application(ref):
    application = service.staff_application(db.session, ref)
    if application is None:
        abort(404)
    return application


def _context(application, revealed=None, **given) -> dict:
    day = today()
    forms_ = dict(
        return_form=forms.ReturnForm(formdata=None),
        investigation_form=forms.InvestigationForm(formdata=None, visited_on=day),
        notice_form=forms.NoticeForm(formdata=None),
        decision_form=forms.DecisionForm(formdata=None),
        payment_form=forms.PaymentForm(formdata=None, month=day.strftime("%Y-%m"), amount=""),
        review_form=forms.ReviewForm(formdata=None),
        extend_form=forms.ExtendForm(formdata=None),
    )
    forms_.update(given)
    return dict(
        application=application, service=service, revealed=revealed,
        reviews={r.item: r for r in service.material_reviews(db.session, application)},
        grouped=service.files_by_item(application),
        duplicates=service.same_household(db.session, application),
        payments=service.payments(db.session, application),
        steps=service.progress_steps(db.session, application),
        decision_due=service.decision_due(db.session, application), today=day, **forms_)


@bp.get("/<ref>")
def application(ref):
    application = _application(ref)
    _audit(application, "view")
    db.session.commit()
    return render(APPLICATION_PAGE, **_context(application))


@bp.get("/<ref>/letter")
def letter(ref):
    """The application letter and authorisation as the resident prints them, to sign here."""
    application = _application(ref)
    _audit(application, "view")
    db.session.commit()
    return render("aid/letter.html", application=application, service=service,
                  back=url_for("aid_staff.application", ref=application.ref))


@bp.post("/<ref>/reveal")
def reveal(ref):
    application = _application(ref)
    if not ActionForm().validate_on_submit():
        abort(400)
    _audit(application, "reveal")
    db.session.commit()
    return render(APPLICATION_PAGE, **_context(application,
                                               revealed=service.reveal_ids(application)))


@bp.post("/<ref>/materials/<item>")
@form_view
def review_material(ref, item):
    application = _application(ref)
    form = forms.MaterialReviewForm(prefix=f"m-{item}")
    back = url_for("aid_staff.application", ref=ref) + f"#item-{item}"
    if not form.validate_on_submit():
        flash(_("Choose OK or missing for the item."), "error")
        return redirect(back, 303)
    try:
        service.review_material(db.session, application, current_user, item,
                                form.verdict.data == "ok", form.note.data or "")
    except service.UnknownItem:
        abort(404)
    _audit(application, "review_material", f"{item}: {form.verdict.data}")
    db.session.commit()
    return redirect(back, 303)


def _action(ref, name, form_class, act, success, uploads=None):
    """Validate a stage form, run the transition, audit it; 422 with the form on failure.

    ``uploads(form)`` stores the form's files first and commits them, unattached, so a
    refusal keeps them for the next try (the form carries their tokens)."""
    application = _application(ref)
    form = form_class()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:  # change nothing: not even the uploads
        return render_form_errors(APPLICATION_PAGE, **_context(application, **{name: form}))
    stored = uploads(form) if uploads else None
    if not valid or (stored is not None and stored.errors):
        return render_form_errors(APPLICATION_PAGE, **_context(application, **{name: form}))
    try:
        detail = act(application, form, stored)
    except DomainError as error:
        db.session.rollback()
        application = _application(ref)
        return refused(error, APPLICATION_PAGE, **_context(application, **{name: form}))
    _audit(application, name.removesuffix("_form"), detail or "")
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("aid_staff.application", ref=application.ref), 303)


def _today_action(function):
    return lambda application, form, stored: function(db.session, application, current_user,
                                                      today())


@bp.post("/<ref>/accept")
def accept(ref):
    return _action(ref, "accept", ActionForm, _today_action(service.accept),
                   _("Accepted. The resident has been told."))


@bp.post("/<ref>/return")
@form_view
def return_(ref):
    def act(application, form, stored):
        items = service.return_for_materials(db.session, application, current_user, today(),
                                             form.note.data or "")
        return "; ".join(items)[:300]

    return _action(ref, "return_form", forms.ReturnForm, act,
                   _("Returned. The resident has one notice listing everything needed."))


def _investigation_photos(form):
    stored = take_uploads(db.session, request.files.getlist(form.photos.name),
                          kept=(form.kept.data or "").split(), owner_id=current_user.id,
                          area=service.AREA, allowed=IMAGES_AND_PDF,
                          max_bytes=service.MAX_UPLOAD, max_files=service.MAX_FILES)
    for message in stored.errors:
        form.add_error(message, "photos")
    form.kept.data = stored.tokens
    db.session.commit()  # the photos that were fine wait, unattached, for the next try
    return stored


@bp.post("/<ref>/investigation")
@form_view
def investigation(ref):
    def act(application, form, stored):
        names = [form.investigator_1.data, form.investigator_2.data, form.investigator_3.data]
        service.record_investigation(db.session, application, current_user, today(),
                                     investigators=names, visited_on=form.visited_on.data,
                                     findings=form.findings.data, photos=stored.files)

    return _action(ref, "investigation_form", forms.InvestigationForm, act,
                   _("Household visit recorded."), uploads=_investigation_photos)


@bp.post("/<ref>/notice")
@form_view
def notice(ref):
    return _action(ref, "notice_form", forms.NoticeForm,
                   lambda a, f, s: service.start_notice(db.session, a, current_user, today(),
                                                        f.proposed.fen),
                   _("The public notice has started."))


@bp.post("/<ref>/decision")
@form_view
def decision(ref):
    def act(application, form, stored):
        service.decide(db.session, application, current_user, today(),
                       approve=form.outcome.data == "approve", amount_fen=form.amount.fen,
                       start_month=form.start_month.data, reasons=form.reasons.data or "",
                       review_months=int(form.review_months.data))
        return form.outcome.data

    return _action(ref, "decision_form", forms.DecisionForm, act, _("Decision recorded."))


@bp.post("/<ref>/payments")
@form_view
def payment(ref):
    def act(application, form, stored):
        service.record_payment(db.session, application, current_user, today(),
                               month=form.month.data, amount_fen=form.amount.fen)
        return form.month.data

    return _action(ref, "payment_form", forms.PaymentForm, act, _("Payment recorded."))


@bp.post("/<ref>/review")
@form_view
def review(ref):
    def act(application, form, stored):
        service.schedule_review(db.session, application, current_user, today(),
                                form.review_on.data)
        return form.review_on.data.isoformat()

    return _action(ref, "review_form", forms.ReviewForm, act, _("Review scheduled."))


@bp.post("/<ref>/extend")
@form_view
def extend(ref):
    return _action(ref, "extend_form", forms.ExtendForm,
                   lambda a, f, s: service.extend_deadline(db.session, a, current_user, today(),
                                                           f.reason.data),
                   _("Time limit extended to 45 working days."))


@bp.post("/<ref>/complete")
def complete(ref):
    return _action(ref, "complete", ActionForm, _today_action(service.complete_paperwork),
                   _("Paperwork complete."))
