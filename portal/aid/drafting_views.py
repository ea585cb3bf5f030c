"""Resident pages for the parts of an application: about you, household, income, materials,
consent. "Save and continue" goes on to the next part not done yet (or to check answers);
the task list is a link on every part."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.aid import service
from portal.aid.forms import (
    ApplicantForm,
    ConsentForm,
    MemberForm,
    income_defaults,
    income_form,
)
from portal.aid.views import bp, editable
from portal.clock import utcnow
from portal.extensions import db
from portal.files.service import IMAGES_AND_PDF, take_uploads
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.render import render, render_form_errors, wants_fragment

# The materials form numbers its file inputs (files-1, tokens-1, ...), so the fields can be
# registered once for portal/keptforms whatever the type; a checklist longer than this still
# works, its later items are just not kept signed out. Which item a number is for, the page
# says in item-1, ... by the item's key: never by its place, which changes with the checklist.
KEPT_ITEMS = 30


def files_field(number: int) -> str:
    return f"files-{number}"


def tokens_field(number: int) -> str:
    return f"tokens-{number}"


def item_field(number: int) -> str:
    return f"item-{number}"


def _posted_items(application) -> tuple[list[tuple[int, dict]], bool]:
    """(number, item) for each checklist item the form named in its item-N field, and whether
    the form sent files or kept ones for a number naming no item on the checklist now (taken
    off, or an old page): those are not added anywhere, and the person is told."""
    numbers, numbered = {}, set()
    for name in (*request.form, *request.files):
        kind, _dash, place = name.partition("-")
        if place.isascii() and place.isdigit() and len(place) <= 3:
            if kind == "item":
                numbers.setdefault(request.form.get(name), int(place))
            elif kind in ("files", "tokens"):
                numbered.add(int(place))
    items = [(numbers[item["key"]], item) for item in application.aid_type.materials
             if item["key"] in numbers]
    named = {number for number, _item in items}
    return items, any(_kept(number) or any(f.filename for f in
                                           request.files.getlist(files_field(number)))
                      for number in numbered - named)


def after_section(application, section, back):
    """Back to check answers when sent from there; else on to the next part."""
    target = "check" if back == "check" else service.next_section(application, section)
    endpoint = f"aid.{target}" if target else "aid.progress"
    return redirect(url_for(endpoint, key=application.url_key), 303)


# --- 1. Applicant ------------------------------------------------------------------------------

@bp.route("/<key>/applicant", methods=["GET", "POST"])
@login_required
@form_view
def applicant(key):
    application, done = editable(key)
    if done:
        return done
    if request.method == "GET":
        form = ApplicantForm(formdata=None, name=application.name, phone=application.phone,
                             back=request.args.get("back", ""))
        return render("aid/applicant.html", form=form, application=application, service=service)
    form = ApplicantForm()
    if not form.validate_on_submit():
        return render_form_errors("aid/applicant.html", form=form, application=application,
                                  service=service)
    service.save_applicant(application, name=form.name.data, id_number=form.id_number.data,
                           phone=form.phone.data)
    db.session.commit()
    return after_section(application, "applicant", form.back.data)


# --- 2. Household ------------------------------------------------------------------------------

def _household(application, member_form=None, status=200):
    return render("aid/household.html", "aid/_members.html", status=status,
                  application=application, member_form=member_form or MemberForm(formdata=None),
                  back=request.values.get("back", ""), service=service)


@bp.get("/<key>/household")
@login_required
def household(key):
    application, done = editable(key)
    return done or _household(application)


def _back_to_household(application):
    if wants_fragment():
        return _household(application)
    return redirect(url_for("aid.household", key=application.url_key,
                            back=request.form.get("back") or None), 303)


@bp.post("/<key>/household/members")
@login_required
@form_view
def add_member(key):
    application, done = editable(key)
    if done:
        return done
    form = MemberForm()
    if not form.validate_on_submit():
        return _household(application, form, status=422)
    service.add_member(db.session, application, name=form.member_name.data,
                       relation=form.relation.data, id_number=form.member_id_number.data,
                       status=form.status.data)
    db.session.commit()
    return _back_to_household(application)


@bp.post("/<key>/household/members/<int:member_id>/remove")
@login_required
def remove_member(key, member_id):
    application, done = editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_member(db.session, application, member_id)
    db.session.commit()
    return _back_to_household(application)


@bp.post("/<key>/household/done")
@login_required
def household_done(key):
    application, done = editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_done(application, "household")
    db.session.commit()
    return after_section(application, "household", request.form.get("back"))


# --- 3. Income and assets ----------------------------------------------------------------------

@bp.route("/<key>/income", methods=["GET", "POST"])
@login_required
@form_view
def income(key):
    application, done = editable(key)
    if done:
        return done
    if request.method == "GET":
        defaults = income_defaults(application, request.args.get("back", ""))
        form = income_form(application, formdata=None, **defaults)
        return render("aid/income.html", form=form, application=application, service=service)
    form = income_form(application, formdata=request.form)
    if not form.validate_on_submit():
        return render_form_errors("aid/income.html", form=form, application=application,
                                  service=service)
    assets = application.aid_type.asks_assets
    service.save_income(
        application, applicant_fen=form.applicant_income.fen,
        member_fen={m.id: getattr(form, f"member_{m.id}").fen for m in application.members},
        irregular=form.irregular.data, housing=form.housing.data if assets else None,
        vehicles=int(form.vehicles.data) if assets else None,
        savings_fen=form.savings.fen if assets else None,
        circumstances=form.circumstances.data or "")
    db.session.commit()
    return after_section(application, "income", form.back.data)


# --- 4. Materials: every item on one page, one submit ------------------------------------------

def _materials(application, errors=None, status=200, pending=None):
    return render("aid/materials.html", status=status, application=application,
                  grouped=service.files_by_item(application), errors=errors or {},
                  back=request.values.get("back", ""), service=service,
                  pending=pending or {}, files_field=files_field, tokens_field=tokens_field,
                  item_field=item_field)


def _kept(number):
    return request.form.get(tokens_field(number), "").split()


@bp.route("/<key>/materials", methods=["GET", "POST"])
@login_required
@form_view
def materials(key):
    application, done = editable(key)
    if done:
        return done
    if request.method == "GET":
        return _materials(application)
    items, unmatched = _posted_items(application)
    changed = (_("The list of materials changed while you had the page open. Please check "
                 "each item and choose its files again.") if unmatched else None)
    if not ActionForm().validate_on_submit():  # change nothing: only show the kept files
        pending = {item["key"]: take_uploads(db.session, (), kept=_kept(number),
                                             owner_id=current_user.id, area=service.AREA,
                                             max_files=service.MAX_FILES).files
                   for number, item in items}
        pending = {k: files for k, files in pending.items() if files}
        message = (_("We kept the files you chose. Press Save and continue to add them.")
                   if pending else _("The page had expired. Please choose the files again."))
        return _materials(application, {"": changed or message}, status=422, pending=pending)
    errors = {"": changed} if changed else {}
    for number, item in items:
        room = service.MAX_FILES - len(service.files_by_item(application).get(item["key"], []))
        uploads = take_uploads(db.session, request.files.getlist(files_field(number)),
                               kept=_kept(number), owner_id=current_user.id, area=service.AREA,
                               allowed=IMAGES_AND_PDF, max_bytes=service.MAX_UPLOAD,
                               max_files=max(room, 0))
        # The files that were fine are kept on the item; only the refused ones need choosing
        # again.
        service.attach_files(db.session, application, item["key"], uploads.files)
        if uploads.errors:
            errors[item["key"]] = " ".join(uploads.errors)
    service.mark_done(application, "materials")
    db.session.commit()
    if errors:
        return _materials(application, errors, status=422)
    return after_section(application, "materials", request.form.get("back"))


@bp.post("/<key>/files/<int:link_id>/remove")
@login_required
def remove_file(key, link_id):
    application, done = editable(key)
    if done:
        return done
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_file(db.session, application, link_id)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("aid.materials", key=application.url_key,
                            back=request.form.get("back") or None), 303)


# --- 5. Consent --------------------------------------------------------------------------------

@bp.route("/<key>/consent", methods=["GET", "POST"])
@login_required
@form_view
def consent(key):
    application, done = editable(key)
    if done:
        return done
    if request.method == "GET":
        given = application.consent_processing_at is not None
        form = ConsentForm(formdata=None, processing=given,
                           check=application.consent_check_at is not None,
                           back=request.args.get("back", ""))
        return render("aid/consent.html", form=form, application=application, service=service)
    form = ConsentForm()
    if not form.validate_on_submit():
        return render_form_errors("aid/consent.html", form=form, application=application,
                                  service=service)
    service.save_consent(application, utcnow())
    db.session.commit()
    return after_section(application, "consent", form.back.data)
