"""代办 in the back office: /staff/care/<id>/aid (from the person's file) and
/staff/care/referrals/<id>/aid (from a referral) choose the kind of aid with the aid area's own
start form, then go on to the aid area's own pages to fill it in with the family. Needs
REVIEW_AID (civil affairs, the directors): 403 without it."""

from __future__ import annotations

import secrets

from flask import abort, redirect, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless
from portal.accounts.roles import Permission
from portal.aid import service as aid
from portal.aid.forms import StartForm
from portal.care import behalf, referrals, service
from portal.care.referral_views import bp as referral_bp
from portal.care.staff_views import bp as care_bp
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.render import refused, render, render_form_errors

PAGE = "care/staff/behalf.html"


def _start_form() -> StartForm:
    form = StartForm()
    types = aid.list_types(db.session)
    form.aid_type.choices = [SelectChoice(t.code, aid.localized(t, "name")) for t in types]
    form.with_kinds = frozenset(t.code for t in types if t.has_kinds)
    form.kind_asked.data = "1"  # the page always shows the question of 临时救助
    if not form.start_key.data:
        form.start_key.data = secrets.token_urlsafe(16)
    return form


def _start(person, referral=None):
    deny_unless(Permission.REVIEW_AID)
    form = _start_form()
    context = dict(form=form, person=person, referral=referral)
    if not form.validate_on_submit():
        page = render_form_errors if form.errors else render
        return page(PAGE, **context)
    try:
        application = behalf.start(db.session, current_user, person,
                                   aid_type=aid.get_type(db.session, form.aid_type.data),
                                   kind=form.kind.data, start_key=form.start_key.data,
                                   now=utcnow(), referral=referral)
    except DomainError as error:
        db.session.rollback()
        return refused(error, PAGE, form=form, person=person, referral=referral)
    db.session.commit()
    return redirect(url_for("aid.applicant", key=application.url_key), 303)


@care_bp.route("/<int:person_id>/aid", methods=["GET", "POST"])
@form_view
def person_aid(person_id: int):
    deny_unless(Permission.MANAGE_CARE)
    person = service.get_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return _start(person)


@referral_bp.route("/<int:referral_id>/aid", methods=["GET", "POST"])
@form_view
def referral_aid(referral_id: int):
    deny_unless(Permission.REVIEW_AID)
    found = referrals.get(db.session, current_user, referral_id)
    if found is None or found[1] is None:  # not theirs to see, or about a request
        abort(404)
    return _start(found[1], found[0])
