"""The back office of the API: keys at /staff/api-keys (director and admin), and the extra
questions of each category at /staff/api-keys/questions (whoever edits request settings)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import permission_required, staff_blueprint
from portal.accounts.roles import Permission
from portal.api import service
from portal.api.forms import KeyForm, QuestionForm
from portal.api.models import ApiKey, ServiceQuestion
from portal.errors import DomainError
from portal.extensions import db
from portal.service_requests import category_name
from portal.service_requests.models import RequestCategory
from portal.web.errors import form_view
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("api_keys", __name__, "/staff/api-keys")
KEYS_PAGE = "api/staff/keys.html"
QUESTIONS_PAGE = "api/staff/questions.html"


def _keys() -> list[ApiKey]:
    return list(db.session.scalars(service.keys_statement().limit(500)))


@bp.get("")
@permission_required(Permission.MANAGE_API_KEYS)
def index():
    return render(KEYS_PAGE, keys=_keys(), form=KeyForm(formdata=None))


@bp.post("")
@permission_required(Permission.MANAGE_API_KEYS)
@form_view
def issue():
    form = KeyForm()
    if not form.validate_on_submit():
        return render_form_errors(KEYS_PAGE, keys=_keys(), form=form)
    try:
        key, secret = service.issue_key(db.session, current_user, name=form.name.data,
                                 may_read_details=form.may_read_details.data,
                                 may_create=form.may_create.data)
    except DomainError as error:
        return refused(error, KEYS_PAGE, form=form, keys=_keys())
    db.session.commit()
    # Shown on this one answer and never again: only its hash is kept.
    return render(KEYS_PAGE, keys=_keys(), form=KeyForm(formdata=None), new_key=key,
                  secret=secret)


@bp.post("/<int:key_id>/revoke")
@permission_required(Permission.MANAGE_API_KEYS)
def revoke(key_id):
    key = db.session.get(ApiKey, key_id) or abort(404)
    service.revoke_key(db.session, current_user, key)
    db.session.commit()
    flash(_("Key “%(name)s” revoked: it no longer works.", name=key.name), "success")
    return redirect(url_for("api_keys.index"), 303)


def _question_form(question=None, submitted=True):
    """The submitted form, or (``submitted=False``) one filled from ``question``."""
    form = QuestionForm() if submitted else QuestionForm(formdata=None, obj=question)
    if question is not None and not submitted:
        form.category.data = question.category_id
    form.category.choices = [SelectChoice(category.id, category_name(category)) for category
                             in service.active_categories(db.session)]
    form.datatype.choices = [SelectChoice(key, label)
                             for key, label in service.DATATYPES.items()]
    return form


def _questions_page(form, editing=None, status=200):
    return render(QUESTIONS_PAGE, status=status, form=form, editing=editing,
                  questions=service.questions(db.session, active_only=False),
                  datatypes=service.DATATYPES)


@bp.get("/questions")
@bp.get("/questions/<int:question_id>")
@permission_required(Permission.MANAGE_REQUEST_SETTINGS)
def questions(question_id=None):
    question = None
    if question_id is not None:
        question = db.session.get(ServiceQuestion, question_id) or abort(404)
    return _questions_page(_question_form(question, submitted=False), editing=question)


@bp.post("/questions")
@bp.post("/questions/<int:question_id>")
@permission_required(Permission.MANAGE_REQUEST_SETTINGS)
@form_view
def save_question(question_id=None):
    question = None
    if question_id is not None:
        question = db.session.get(ServiceQuestion, question_id) or abort(404)
    form = _question_form()
    if not form.validate_on_submit():
        return _questions_page(form, editing=question, status=422)
    category = db.session.scalar(select(RequestCategory)
                                 .where(RequestCategory.id == form.category.data))
    try:
        if category is None:
            raise DomainError(_("Choose the category."), field="category")
        service.save_question(
            db.session, question, category=category, prompt_zh=form.prompt_zh.data,
            prompt_en=form.prompt_en.data, datatype=form.datatype.data,
            required=form.required.data, options=form.options.data or "",
            position=form.position.data or 100, active=form.active.data, actor=current_user)
    except DomainError as error:
        form.add_error(error.message, error.field)
        return _questions_page(form, editing=question, status=422)
    db.session.commit()
    flash(_("Question saved."), "success")
    return redirect(url_for("api_keys.questions"), 303)
