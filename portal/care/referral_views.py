"""Referrals between roles in the back office: /staff/care/referrals (the queue of those sent
to my role, those I sent, and all I may see), one referral, taking it and its outcome; and
referring a request (/staff/care/referrals/request/<ref>) or a care record
(/staff/care/<id>/refer). A visit refers from its own form (staff_views.visit).

REFER_CASES is needed (403 without it); a referral outside the viewer's scope is 404."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.care import referrals, service
from portal.care.forms import OutcomeForm, ReferralForm
from portal.care.staff_views import bp as care_bp
from portal.clock import today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("staff_referrals", __name__, "/staff/care/referrals")

DETAIL_PAGE = "care/staff/referral.html"
REFER_PAGE = "care/staff/refer.html"


@bp.before_request
def require_permission():
    deny_unless(Permission.REFER_CASES)


def _default_list() -> str:
    receives = current_user.role in {role.value for role in referrals.TO_ROLES}
    return "incoming" if receives else "sent"


@bp.get("")
def index():
    which = request.args.get("list", "")
    if which not in referrals.LISTS:
        which = _default_list()
    page = paginate(db.session, referrals.list_statement(current_user, which), page_number(),
                    per_page=50, scalars=False)
    return render("care/staff/referrals.html", page=page, which=which, today=today(),
                  about=referrals.about)


def _referral_or_404(referral_id: int):
    found = referrals.get(db.session, current_user, referral_id)
    if found is None:
        abort(404)
    return found


def _about(found) -> str:
    referral, person, request_, _referrer = found
    return referrals.about(referral, person, request_.ref if request_ is not None else None)


def _context(found, outcome_form=None) -> dict:
    referral, person, request_, referrer = found
    aid = None
    if referral.aid_application_id:
        from portal.aid.models import AidApplication

        aid = db.session.get(AidApplication, referral.aid_application_id)
    return dict(referral=referral, person=person, request_=request_, referrer=referrer,
                today=today(), handles=referrals.may_handle(current_user, referral),
                names=service.names_of(db.session, [referral.handler_id]), aid=aid,
                may_file_aid=(person is not None and not referral.finished and aid is None
                              and current_user.can(Permission.REVIEW_AID)),
                action=ActionForm(formdata=None),
                outcome_form=outcome_form or OutcomeForm(formdata=None))


def _detail(found, status=200, outcome_form=None):
    return render(DETAIL_PAGE, status=status, **_context(found, outcome_form))


@bp.get("/<int:referral_id>")
def detail(referral_id: int):
    found = _referral_or_404(referral_id)
    referrals.opened(db.session, current_user, found[0], _about(found))
    db.session.commit()
    return _detail(found)


@bp.post("/<int:referral_id>/accept")
def accept(referral_id: int):
    found = _referral_or_404(referral_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        referrals.accept(db.session, current_user, found[0], utcnow(), _about(found))
    except DomainError as error:
        db.session.rollback()
        return refused(error, DETAIL_PAGE, **_context(_referral_or_404(referral_id)))
    db.session.commit()
    flash(_("You have taken this referral. Record the outcome when it is dealt with."),
          "success")
    return redirect(url_for(".detail", referral_id=referral_id), 303)


@bp.post("/<int:referral_id>/outcome")
@form_view
def outcome(referral_id: int):
    found = _referral_or_404(referral_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _detail(found, status=422, outcome_form=form)
    referral, _person, request_, _referrer = found
    try:
        referrals.close(db.session, current_user, referral, status=form.status.data,
                        outcome=form.outcome.data, now=utcnow(), about_text=_about(found),
                        request=request_)
    except DomainError as error:
        db.session.rollback()
        context = _context(_referral_or_404(referral_id), form)
        form.add_error(error.message, error.field)
        return render(DETAIL_PAGE, status=error.status, **context)
    db.session.commit()
    flash(_("Outcome recorded. Whoever referred it has been told."), "success")
    return redirect(url_for(".detail", referral_id=referral_id), 303)


# --- referring a request or a care record ---------------------------------------------------

def _refer(subject: dict, back: str):
    """The one referral form, for a request or a person: choose the role, write the note."""
    form = ReferralForm()
    form.to_role.choices = [SelectChoice("", _("Choose a role")),
                            *referrals.role_choices(current_user)]
    context = dict(form=form, back=back, **subject)
    if not form.validate_on_submit():
        page = render_form_errors if form.errors else render
        return page(REFER_PAGE, **context)
    try:
        referral = referrals.refer(db.session, current_user, to_role=form.to_role.data,
                                   note=form.note.data, today=today(),
                                   person=subject.get("person"),
                                   request=subject.get("request_"))
    except DomainError as error:
        db.session.rollback()
        return refused(error, REFER_PAGE, **context)
    db.session.commit()
    flash(_("Referred. They have been told, and you will be told the outcome."), "success")
    return redirect(url_for("staff_referrals.detail", referral_id=referral.id), 303)


@bp.route("/request/<ref>", methods=["GET", "POST"])
@form_view
def refer_request(ref):
    from portal.service_requests import service as requests

    found = requests.get_for_staff(db.session, current_user, ref)
    if found is None:
        abort(404)
    return _refer({"request_": found, "person": None},
                  url_for("staff_requests.detail", ref=found.ref))


@care_bp.route("/<int:person_id>/refer", methods=["GET", "POST"])
@form_view
def refer_person(person_id: int):
    deny_unless(Permission.REFER_CASES)
    person = service.get_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return _refer({"person": person, "request_": None},
                  url_for("staff_care.person", person_id=person.id))
