"""Chasing a request from its staff page: POST /staff/requests/<ref>/urge (催办, the
director or a deputy), /street (上报街道) and /street-answer (the street office's answer)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless
from portal.accounts.roles import Permission
from portal.clock import from_local
from portal.errors import DomainError
from portal.extensions import db
from portal.service_requests import service
from portal.service_requests.forms import StreetAnswerForm, StreetForm, UrgeForm
from portal.service_requests.staff_views import (
    _detail,
    _done,
    _refused,
    _request_or_404,
    bp,
)
from portal.web.errors import form_view


@bp.post("/requests/<ref>/urge")
@form_view
def urge(ref):
    deny_unless(Permission.URGE_REQUESTS)
    item = _request_or_404(ref)
    form = UrgeForm(prefix="urge")
    if not form.validate_on_submit():
        return _detail(item, status=422, urge_form=form)
    try:
        service.urge(db.session, item, current_user, form.note.data,
                     from_local(form.due_at.data))
    except DomainError as error:
        return _refused(item, error, urge_form=form)
    return _done(item, _("Urged. Whoever handles it has been told."))


@bp.post("/requests/<ref>/street")
@form_view
def street(ref):
    item = _request_or_404(ref)
    form = StreetForm(prefix="street")
    if not form.validate_on_submit():
        return _detail(item, status=422, street_form=form)
    try:
        service.to_street_office(db.session, item, current_user, form.street_ref.data,
                                 form.note.data)
    except DomainError as error:
        return _refused(item, error, street_form=form)
    return _done(item, _("Escalated to the street office. Its deadlines stand still until "
                         "the answer comes back."))


@bp.post("/requests/<ref>/street-answer")
@form_view
def street_answer(ref):
    item = _request_or_404(ref)
    form = StreetAnswerForm(prefix="answer")
    if not form.validate_on_submit():
        return _detail(item, status=422, answer_form=form)
    try:
        service.street_answer(db.session, item, current_user, form.answer.data,
                              form.outcome.data)
    except DomainError as error:
        return _refused(item, error, answer_form=form)
    return _done(item, _("The street office's answer is recorded."))
