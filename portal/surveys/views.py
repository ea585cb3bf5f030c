"""Residents: the surveys meant for them, one page to answer, and a thank-you page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.surveys import service
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render

ANSWER_PAGE = "surveys/answer.html"

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


class AnswerErrors:
    """The answers' errors as a form gives them: ``error_list()`` of (field id, message) for
    the error_summary macro, and ``add_error`` for ``refused``."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def add_error(self, message, field: str | None = None) -> None:
        self.pairs.append((field or "", str(message)))

    def error_list(self):
        return self.pairs


@bp.get("/")
@login_required
def index():
    now = utcnow()
    open_surveys = service.open_surveys_for(db.session, current_user, now)
    answered = paginate(db.session, service.answered_statement(current_user.id), page_number(),
                        per_page=20, scalars=False)
    return render("surveys/index.html", open_surveys=open_surveys, answered=answered, now=now)


def _visible_or_404(survey_id):
    survey = service.visible_survey(db.session, survey_id, current_user, utcnow())
    if survey is None:
        abort(404)
    return survey


def _answer_context(survey, values=None, errors=()) -> dict:
    questions = survey.questions
    return dict(survey=survey, questions=questions, minutes=service.minutes_needed(questions),
                values=values or {}, errors=dict(errors), summary=AnswerErrors(errors),
                now=utcnow())


def _form_page(survey, values=None, errors=(), status=200):
    return render(ANSWER_PAGE, status=status, **_answer_context(survey, values, errors))


@bp.get("/<int:survey_id>")
@login_required
def answer(survey_id):
    survey = _visible_or_404(survey_id)
    if service.has_answered(db.session, survey.id, current_user.id):
        return redirect(url_for("surveys.thanks", survey_id=survey.id), 303)
    return _form_page(survey)


@bp.post("/<int:survey_id>")
@login_required
@form_view
def submit(survey_id):
    survey = _visible_or_404(survey_id)
    values, errors = service.parse_answers(survey.questions, request.form)
    kept = {key: request.form.getlist(key) for key in request.form if key.startswith("q")}
    if not ActionForm().validate_on_submit():
        errors = [("csrf_token", "")] + errors
    if errors:
        return _form_page(survey, kept, errors, status=422)
    try:
        service.submit(db.session, survey, current_user, values, utcnow())
    except service.AlreadyAnswered as error:
        db.session.rollback()
        flash(error.message, "success")
        return redirect(url_for("surveys.thanks", survey_id=survey.id), 303)
    except DomainError as error:
        db.session.rollback()
        context = _answer_context(survey, kept)
        return refused(error, ANSWER_PAGE, form=context["summary"], **context)
    db.session.commit()
    return redirect(url_for("surveys.thanks", survey_id=survey.id), 303)


@bp.get("/<int:survey_id>/thanks")
@login_required
def thanks(survey_id):
    survey = _visible_or_404(survey_id)
    if not service.has_answered(db.session, survey.id, current_user.id):
        return redirect(url_for("surveys.answer", survey_id=survey.id), 303)
    return render("surveys/thanks.html", survey=survey)
