"""The survey builder and results at /staff/surveys."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import staff_blueprint
from portal.accounts.roles import Permission
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.satisfaction import FORMULA
from portal.surveys import audience, service
from portal.surveys.forms import NewSurveyForm, QuestionForm, SettingsForm, SummaryForm
from portal.surveys.models import Kind
from portal.web.errors import form_view
from portal.web.exports import export_response
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, wants_fragment

bp = staff_blueprint("surveys_staff", __name__, "/staff/surveys")


@bp.before_request
def require_permission():
    from portal.accounts.permissions import deny_unless

    deny_unless(Permission.MANAGE_SURVEYS)


def _survey_or_404(survey_id: int):
    survey = service.get_survey(db.session, survey_id)
    if survey is None:
        abort(404)
    return survey


def _question_or_404(survey, question_id: int):
    question = service.get_question(survey, question_id)
    if question is None:
        abort(404)
    return question


# --- list ----------------------------------------------------------------------------------

def _index(form, status=200):
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=25)
    return render("surveys/staff/index.html", status=status, page=page, form=form,
                  now=utcnow())


@bp.get("")
def index():
    return _index(NewSurveyForm(formdata=None))


@bp.post("")
@form_view
def create():
    form = NewSurveyForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    survey = service.create_survey(db.session, form.title.data, current_user)
    db.session.commit()
    flash(_("Draft created. Add the questions, then publish."), "success")
    return redirect(url_for("surveys_staff.builder", survey_id=survey.id), 303)


# --- builder -------------------------------------------------------------------------------

def _settings_form(survey, formdata=None):
    form = SettingsForm(formdata=formdata) if formdata is not None else SettingsForm(
        formdata=None, title=survey.title, intro=survey.intro,
        opens_on=service.first_day(survey), closes_on=service.last_day(survey),
        anonymous=survey.anonymous, audience=survey.audience_key)
    form.audience.choices = [SelectChoice(source.key, source.label)
                             for source in audience.sources()]
    return form


def _audience_inputs(survey, formdata=None):
    """Each audience source with its parameter inputs and the values to show."""
    blocks = []
    for source in audience.sources():
        params = []
        for param in source.params:
            name = f"audience-{source.key}-{param.name}"
            if formdata is not None:
                chosen = formdata.getlist(name)
            else:
                saved = (survey.audience_params or {}).get(param.name) \
                    if survey.audience_key == source.key else None
                chosen = saved if isinstance(saved, list) else ([saved] if saved else [])
            choices = param.choices(db.session) if param.choices else []
            params.append({"param": param, "name": name, "choices": choices, "chosen": chosen})
        blocks.append({"source": source, "params": params})
    return blocks


BUILDER_PAGE = "surveys/staff/builder.html"
QUESTIONS_FRAGMENT = "surveys/staff/_questions.html"


def _builder_context(survey, *, settings_form=None, audience_errors=(), question_form=None,
                     edit_form=None, editing=None, partial=False) -> dict:
    """What the builder shows; ``partial`` when only the questions section goes back, which
    then carries the feedback itself."""
    return dict(
        survey=survey, locked=service.questions_locked(db.session, survey), now=utcnow(),
        settings_form=settings_form or _settings_form(survey),
        audience_blocks=_audience_inputs(
            survey, request.form if settings_form is not None else None),
        audience_errors=dict(audience_errors),
        question_form=question_form or QuestionForm(formdata=None, prefix="new"),
        edit_form=edit_form, editing=editing, partial=partial,
        kinds=list(Kind), describe_audience=audience.describe(survey),
        minutes=service.minutes_needed(survey.questions),
    )


def _builder(survey, *, status=200, fragment=False, **forms):
    partial = fragment and wants_fragment()
    return render(BUILDER_PAGE, QUESTIONS_FRAGMENT if partial else None, status=status,
                  **_builder_context(survey, partial=partial, **forms))


def _refused(survey, error: DomainError, form=None, **forms):
    """The builder again with the refusal shown: on its field of ``form`` (which keeps what
    was typed), or as the error feedback when it belongs to no field."""
    on_form = form if error.field and form is not None and error.field in form else None
    return refused(error, BUILDER_PAGE, QUESTIONS_FRAGMENT, form=on_form,
                   **_builder_context(survey, partial=wants_fragment(), **forms))


@bp.get("/<int:survey_id>")
def builder(survey_id):
    return _builder(_survey_or_404(survey_id))


@bp.post("/<int:survey_id>/settings")
@form_view
def save_settings(survey_id):
    survey = _survey_or_404(survey_id)
    form = _settings_form(survey, request.form)
    audience_errors, params = [], {}
    valid = form.validate_on_submit()
    source = audience.get_source(form.audience.data or "")
    if valid and source is not None:
        params, audience_errors = audience.parse_params(db.session, source, request.form)
        for _name, message in audience_errors:
            form.audience.errors.append(message)
    if valid and not audience_errors:
        try:
            service.update_settings(
                db.session, survey, current_user, title=form.title.data,
                intro=form.intro.data or "",
                opens_on=form.opens_on.data, closes_on=form.closes_on.data,
                anonymous=form.anonymous.data, audience_key=source.key, audience_params=params)
        except DomainError as error:
            return refused(error, BUILDER_PAGE, form=form,
                           **_builder_context(survey, settings_form=form))
        db.session.commit()
        flash(_("Survey details saved."), "success")
        return redirect(url_for("surveys_staff.builder", survey_id=survey.id), 303)
    return _builder(survey, settings_form=form, audience_errors=audience_errors, status=422)


def _question_values(form):
    kind = Kind(form.kind.data)
    return dict(kind=kind, text=form.text.data, help=form.help.data or "",
                required=form.required.data, options=service.clean_options(form.options.data or ""),
                max_choices=form.max_choices.data)


def _after_question_change(survey, message):
    db.session.commit()
    flash(message, "success")
    if wants_fragment():
        return _builder(survey, fragment=True)
    return redirect(url_for("surveys_staff.builder", survey_id=survey.id, _anchor="questions"),
                    303)


@bp.post("/<int:survey_id>/questions")
@form_view
def add_question(survey_id):
    survey = _survey_or_404(survey_id)
    form = QuestionForm(prefix="new")
    if not form.validate_on_submit():
        return _builder(survey, question_form=form, status=422, fragment=True)
    try:
        service.add_question(db.session, survey, current_user, **_question_values(form))
    except DomainError as error:
        return _refused(survey, error, form, question_form=form)
    return _after_question_change(survey, _("Question added."))


@bp.get("/<int:survey_id>/questions/<int:question_id>/edit")
def edit_question(survey_id, question_id):
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    form = QuestionForm(formdata=None, prefix=f"q{question.id}", kind=question.kind,
                        text=question.text, help=question.help, required=question.required,
                        options="\n".join(question.options), max_choices=question.max_choices)
    return _builder(survey, edit_form=form, editing=question.id, fragment=True)


@bp.post("/<int:survey_id>/questions/<int:question_id>")
@form_view
def update_question(survey_id, question_id):
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    form = QuestionForm(prefix=f"q{question.id}")
    if not form.validate_on_submit():
        return _builder(survey, edit_form=form, editing=question.id, status=422, fragment=True)
    try:
        service.update_question(db.session, survey, question, current_user,
                                    **_question_values(form))
    except DomainError as error:
        return _refused(survey, error, form, edit_form=form, editing=question.id)
    return _after_question_change(survey, _("Question saved."))


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
def move_question(survey_id, question_id):
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        service.move_question(db.session, survey, question, step, current_user)
    except DomainError as error:
        return _refused(survey, error)
    return _after_question_change(survey, _("Question moved."))


@bp.post("/<int:survey_id>/questions/<int:question_id>/remove")
def remove_question(survey_id, question_id):
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.remove_question(db.session, survey, question, current_user)
    except DomainError as error:
        return _refused(survey, error)
    return _after_question_change(survey, _("Question removed."))


@bp.get("/<int:survey_id>/preview")
def preview(survey_id):
    survey = _survey_or_404(survey_id)
    return render("surveys/staff/preview.html", survey=survey, questions=survey.questions,
                  minutes=service.minutes_needed(survey.questions), values={}, errors={})


def _state_change(survey_id, change, message):
    survey = _survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = change(survey)
    except DomainError as error:
        return refused(error, BUILDER_PAGE, **_builder_context(survey))
    db.session.commit()
    flash(message, "success")
    target = result or survey
    return redirect(url_for("surveys_staff.builder", survey_id=target.id), 303)


@bp.post("/<int:survey_id>/publish")
def publish(survey_id):
    return _state_change(survey_id,
                         lambda s: service.publish(db.session, s, utcnow(), current_user),
                         _("Survey published. Residents in its audience can answer from the "
                           "opening date."))


@bp.post("/<int:survey_id>/close")
def close(survey_id):
    return _state_change(survey_id, lambda s: service.close_now(s, utcnow(), current_user),
                         _("Survey closed. No more answers will be taken."))


@bp.post("/<int:survey_id>/copy")
def copy(survey_id):
    return _state_change(survey_id, lambda s: service.copy_survey(db.session, s, current_user),
                         _("Copied into a new draft. Check the dates before publishing."))


# --- results -------------------------------------------------------------------------------

def _results_page(survey, summary_form=None, status=200):
    summary_form = summary_form or SummaryForm(formdata=None, summary=survey.summary,
                                               published=survey.summary_published)
    return render("surveys/staff/results.html", status=status, survey=survey,
                  results=service.results(db.session, survey), formula=FORMULA,
                  summary_form=summary_form, preview_size=service.TEXT_PREVIEW)


@bp.get("/<int:survey_id>/results")
def results(survey_id):
    return _results_page(_survey_or_404(survey_id))


@bp.post("/<int:survey_id>/summary")
@form_view
def save_summary(survey_id):
    survey = _survey_or_404(survey_id)
    form = SummaryForm()
    if not form.validate_on_submit():
        return _results_page(survey, form, status=422)
    service.set_summary(survey, form.summary.data or "", form.published.data, current_user)
    db.session.commit()
    flash(_("Summary published to residents.") if survey.summary_published
          else _("Summary saved; residents don't see it."), "success")
    return redirect(url_for("surveys_staff.results", survey_id=survey.id), 303)


@bp.get("/<int:survey_id>/results/questions/<int:question_id>")
def text_answers(survey_id, question_id):
    survey = _survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    if not question.kind_enum.is_text:
        abort(404)
    page = service.text_answers_page(db.session, question, page_number())
    return render("surveys/staff/text_answers.html", "surveys/staff/_text_answers.html",
                  survey=survey, question=question, page=page)


@bp.get("/<int:survey_id>/responses.<any(csv, xlsx):fmt>")
def export(survey_id, fmt):
    survey = _survey_or_404(survey_id)
    table = service.response_export(survey)
    service.audit(db.session, current_user, "export", survey, fmt)
    db.session.commit()
    return export_response(f"survey-{survey.id}", table.headers, table.rows, fmt,
                           title=survey.title)
