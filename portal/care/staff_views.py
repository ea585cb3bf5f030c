"""The care register in the back office: /staff/care.

A grid worker (VISIT_CARE) reaches only the people of their own grid: anyone else's file is
404. Adding, changing, importing and exporting need MANAGE_CARE (403 without it)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.care import PHOTO_AREA, referrals, service, visits
from portal.care.forms import PersonForm, VisitForm
from portal.clock import today
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import take_uploads
from portal.web.errors import form_view
from portal.web.inputs import int_arg
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("staff_care", __name__, "/staff/care")

PERSON_PAGE = "care/staff/person.html"
FORM_PAGE = "care/staff/person_form.html"


@bp.before_request
def require_permission():
    deny_unless(Permission.VISIT_CARE)


def require_manager():
    deny_unless(Permission.MANAGE_CARE)


@bp.get("")
def index():
    worker_id = int_arg("worker") if service.sees_everyone(current_user) else None
    overdue = int_arg("overdue", 0, maximum=1) == 1
    statement = service.register_statement(current_user, worker_id=worker_id,
                                           overdue_on=today() if overdue else None)
    page = paginate(db.session, statement, page_number(), per_page=50)
    workers = service.names_of(db.session, (p.grid_worker_id for p in page.items))
    return render("care/staff/index.html", page=page, workers=workers, overdue=overdue,
                  worker_id=worker_id, today=today(), manager=service.sees_everyone(current_user),
                  grid_workers=service.grid_workers(db.session)
                  if service.sees_everyone(current_user) else [])


def _person_or_404(person_id: int):
    person = service.get_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return person


def _person_form(person=None) -> PersonForm:
    """On GET the file's values; on POST what was sent."""
    form = PersonForm(obj=person)
    form.grid_worker_id.choices = [("", _("Not yet assigned"))] + [
        (worker.id, worker.name) for worker in service.grid_workers(db.session)]
    if person is not None and not form.is_submitted():
        form.categories.data = [c.value for c in person.category_list]
        form.needs.data = [n.value for n in person.need_list]
        form.version.data = str(person.version)
    return form


def _values(form: PersonForm) -> dict:
    return {name: getattr(form, name).data for name in service.FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@form_view
def new():
    require_manager()
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = service.add_person(db.session, current_user, _values(form), today())
        except DomainError as error:
            return refused(error, FORM_PAGE, form=form, person=None)
        db.session.commit()
        flash(_("Added to the care register."), "success")
        return redirect(url_for(".person", person_id=person.id), 303)
    page = render_form_errors if form.errors else render
    return page(FORM_PAGE, form=form, person=None)


@bp.get("/<int:person_id>")
def person(person_id: int):
    person = _person_or_404(person_id)
    service.opened(db.session, current_user, person)
    db.session.commit()
    everyone = service.sees_everyone(current_user)
    return render(PERSON_PAGE, person=person, full=everyone, today=today(),
                  history=service.history(db.session, person) if everyone else [],
                  names=service.names_of(db.session, [person.grid_worker_id]),
                  visits=visits.recent(db.session, person), field_labels=_field_labels,
                  referrals=referrals.of_person(db.session, person.id),
                  may_file_aid=everyone and current_user.can(Permission.REVIEW_AID))


def _field_labels(fields: str) -> str:
    """A history line's field names as the form labels them."""
    form = PersonForm(formdata=None)
    return "、".join(str(form[name].label.text) for name in fields.split(",") if name in form)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@form_view
def edit(person_id: int):
    require_manager()
    person = _person_or_404(person_id)
    form = _person_form(person)
    if form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdigit() else 0
        try:
            changed = service.update_person(db.session, current_user, person, _values(form),
                                            version)
        except DomainError as error:
            db.session.rollback()
            return refused(error, FORM_PAGE, form=form, person=person)
        db.session.commit()
        flash(_("Saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for(".person", person_id=person.id), 303)
    page = render_form_errors if form.errors else render
    return page(FORM_PAGE, form=form, person=person)


# ---- visits -----------------------------------------------------------------------------

VISIT_PAGE = "care/staff/visit.html"


@bp.get("/visits")
def visits_due():
    people = list(db.session.scalars(visits.due_statement(current_user, today())))
    return render("care/staff/visits.html", people=people, today=today(),
                  week_end=visits.week_end(today()))


@bp.route("/<int:person_id>/visit", methods=["GET", "POST"])
@form_view
def visit(person_id: int):
    person = _person_or_404(person_id)
    form = VisitForm()
    form.referral_role.choices = [SelectChoice("", _("Choose a role"))] + referrals.role_choices(
        current_user)
    if not form.is_submitted():
        form.visited_on.data = today()
        service.opened(db.session, current_user, person)  # it shows who and where they are
        db.session.commit()
        return render(VISIT_PAGE, form=form, person=person, pending=[])
    valid = form.validate_on_submit()
    tokens = (form.photo_tokens.data or "").split()
    # A CSRF failure changes nothing, not even the uploads; else the photo is kept for a retry.
    chosen = [] if "csrf_token" in form.errors else [form.photo.data]
    photos = take_uploads(db.session, chosen, kept=tokens, owner_id=current_user.id,
                          area=PHOTO_AREA, max_bytes=visits.MAX_PHOTO_BYTES)
    form.photo_tokens.data = photos.tokens
    if not valid or photos.errors:
        form.photo.errors = [*form.photo.errors, *photos.errors]
        db.session.commit()  # the photo that was fine waits for the next try
        return render_form_errors(VISIT_PAGE, form=form, person=person, pending=photos.files)
    try:
        with db.session.begin_nested():  # a refusal undoes the visit, never the kept photo
            visits.record_visit(
                db.session, current_user, person, outcome=form.outcome.data,
                needs_seen=form.needs_seen.data, note=form.note.data,
                referral_needed=form.referral_needed.data,
                visited_on=form.visited_on.data or today(), today=today(),
                photo=photos.files[0] if photos.files else None,
                refer_to=form.referral_role.data or None,
                referral_note=form.referral_note.data)
    except DomainError as error:
        db.session.commit()
        return refused(error, VISIT_PAGE, form=form, person=person, pending=photos.files)
    db.session.commit()
    flash(_("Visit to %(name)s recorded.", name=person.name)
          + (" " + _("The referral has been sent.") if form.referral_needed.data else ""),
          "success")
    return redirect(url_for(".visits_due"), 303)
