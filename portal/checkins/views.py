"""The residents' one-tap page: /checkin/<id>, 我平安 or 我需要帮助.

One small page with plain forms, no script of its own: it works without JavaScript and on a
slow network. 我需要帮助 without the details answers with the details to fill in (the help
is not recorded until the kind and the number are given).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.checkins import service
from portal.checkins.forms import AnswerForm
from portal.checkins.models import Answer
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view, register_busy_handlers
from portal.web.render import refused, render

bp = Blueprint("checkins", __name__, url_prefix="/checkin")
PAGE = "checkins/answer.html"
register_busy_handlers(bp, lambda: _(
    "Many people are answering right now, so we could not save that. Nothing has changed. "
    "Please wait a few seconds and press the button again."))


def _checkin_or_404(checkin_id: int):
    checkin = service.get_checkin(db.session, checkin_id)
    if checkin is None:
        abort(404)
    if not current_user.is_authenticated or current_user.is_staff:
        abort(403)  # staff record answers from the live list
    return checkin


def _page(checkin, form, *, asking_help=False, status=200):
    entry = service.entry_of(db.session, checkin.id, current_user.id)
    return render(PAGE, checkin=checkin, form=form, entry=entry, status=status,
                  asking_help=asking_help or bool(form.errors and form.answer.data == "help"))


@bp.get("/<int:checkin_id>")
@login_required
def answer(checkin_id):
    checkin = _checkin_or_404(checkin_id)
    form = AnswerForm(formdata=None)
    entry = service.entry_of(db.session, checkin.id, current_user.id)
    if entry is not None and entry.status == Answer.HELP.value:
        form.kind.data, form.people.data, form.note.data = (entry.kind, str(entry.people or 1),
                                                            entry.note)
    return render(PAGE, checkin=checkin, form=form, entry=entry, asking_help=False)


@bp.post("/<int:checkin_id>")
@login_required
@form_view
def send(checkin_id):
    checkin = _checkin_or_404(checkin_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(checkin, form, status=422)
    chosen = form.answer.data
    first_tap = not request.form.get("details") and not form.kind.data
    if chosen == Answer.HELP.value and first_tap and checkin.is_open:
        return _page(checkin, form, asking_help=True)  # the first tap: now the details
    try:
        service.answer(db.session, checkin, current_user, utcnow(), **form.values(chosen))
    except DomainError as error:
        db.session.rollback()
        return refused(error, PAGE, form=form, checkin=checkin,
                       entry=service.entry_of(db.session, checkin.id, current_user.id),
                       asking_help=chosen == Answer.HELP.value)
    db.session.commit()
    flash(_("Thank you. We know you are safe.") if chosen == Answer.SAFE.value else
          _("Thank you. The community office has your request for help and will contact "
            "you."), "success")
    return redirect(url_for(".answer", checkin_id=checkin.id), 303)
