"""Building a survey: drafts, settings, questions, publishing, closing and copying."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, object_session

from portal.accounts.models import User
from portal.audit.service import record
from portal.clock import day_end, day_start, local_day
from portal.errors import DomainError
from portal.registry import AuditAction
from portal.surveys import audience
from portal.surveys.models import Kind, Question, Response, Survey

MAX_OPTIONS = 20
OPTION_MAX = 100
SECONDS_PER_QUESTION = {Kind.SHORT_TEXT: 30, Kind.LONG_TEXT: 60}
AREA = "surveys"
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("survey_created", _l("Drafted a survey")),
    ("survey_settings", _l("Changed a survey's details")),
    ("question_added", _l("Added a question")),
    ("question_edited", _l("Edited a question")),
    ("question_moved", _l("Moved a question")),
    ("question_removed", _l("Removed a question")),
    ("survey_published", _l("Published a survey")),
    ("survey_closed", _l("Closed a survey")),
    ("survey_copied", _l("Copied a survey")),
    ("summary_saved", _l("Saved a survey's summary")),
    ("summary_published", _l("Published a survey's summary")),
))


def audit(session: Session, actor, action: str, survey: Survey, detail: str = "") -> None:
    record(session, actor, AREA, action, f"#{survey.id} {survey.title}", detail)


class QuestionsLocked(DomainError):
    """People have answered: the questions are fixed (a conflict with the survey's state)."""

    status = 409


def first_day(survey: Survey) -> date | None:
    """The local day a survey opens."""
    return None if survey.opens_at is None else local_day(survey.opens_at)


def last_day(survey: Survey) -> date | None:
    """The last day a survey is open: it closes at the start of the next day."""
    return None if survey.closes_at is None else local_day(survey.closes_at - timedelta(seconds=1))


def staff_statement():
    return select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())


def get_survey(session: Session, survey_id: int) -> Survey | None:
    return session.get(Survey, survey_id)


def create_survey(session: Session, title: str, author: User) -> Survey:
    survey = Survey(title=title, intro="", created_by_id=author.id, audience_params={})
    session.add(survey)
    session.flush()
    audit(session, author, "survey_created", survey)
    return survey


def questions_locked(session: Session, survey: Survey) -> bool:
    """Questions may change until the first response arrives."""
    return session.scalar(select(select(Response.id).where(Response.survey_id == survey.id)
                                 .exists())) or False


def _require_unlocked(session: Session, survey: Survey) -> None:
    if questions_locked(session, survey):
        raise QuestionsLocked(_("People have already answered this survey, so its questions can "
                                "no longer change. Copy it into a new draft instead."))


def update_settings(session: Session, survey: Survey, actor, *, title: str, intro: str,
                    opens_on: date, closes_on: date, anonymous: bool, audience_key: str,
                    audience_params: dict) -> None:
    if survey.status == "published" and anonymous != survey.anonymous and \
            questions_locked(session, survey):
        raise DomainError(_("People have already answered, so the survey can't switch "
                            "between anonymous and named."), field="anonymous")
    survey.title = title
    survey.intro = intro
    survey.opens_at = day_start(opens_on)
    survey.closes_at = day_end(closes_on)
    survey.anonymous = anonymous
    survey.audience_key = audience_key
    survey.audience_params = audience_params
    audit(session, actor, "survey_settings", survey)


def clean_options(raw: str) -> list[str]:
    options = []
    for line in raw.splitlines():
        line = line.strip()
        if line and line not in options:
            options.append(line)
    return options


def check_question(kind: Kind, options: list[str], max_choices: int | None) -> None:
    if kind.has_options:
        if len(options) < 2:
            raise DomainError(_("Give at least two options, one per line."), field="options")
        if len(options) > MAX_OPTIONS:
            raise DomainError(_("Give at most %(n)d options.", n=MAX_OPTIONS), field="options")
        if any(len(option) > OPTION_MAX for option in options):
            raise DomainError(_("Keep each option under %(n)d characters.", n=OPTION_MAX),
                              field="options")
    if max_choices is not None and kind is Kind.MULTIPLE and \
            not 1 <= max_choices <= len(options):
        raise DomainError(_("The most choices must be between 1 and the number of options."),
                          field="max_choices")


def add_question(session: Session, survey: Survey, actor, *, kind: Kind, text: str, help: str,
                 required: bool, options: list[str], max_choices: int | None) -> Question:
    _require_unlocked(session, survey)
    check_question(kind, options, max_choices)
    position = max((question.position for question in survey.questions), default=0) + 1
    question = Question(kind=kind.value, text=text, help=help, required=required, position=position,
                        options=options if kind.has_options else [],
                        max_choices=max_choices if kind is Kind.MULTIPLE else None)
    survey.questions.append(question)
    session.flush()
    audit(session, actor, "question_added", survey, text[:100])
    return question


def get_question(survey: Survey, question_id: int) -> Question | None:
    return next((q for q in survey.questions if q.id == question_id), None)


def update_question(session: Session, survey: Survey, question: Question, actor, *,
                    kind: Kind, text: str, help: str, required: bool, options: list[str],
                    max_choices: int | None) -> None:
    _require_unlocked(session, survey)
    check_question(kind, options, max_choices)
    question.kind = kind.value
    question.text = text
    question.help = help
    question.required = required
    question.options = options if kind.has_options else []
    question.max_choices = max_choices if kind is Kind.MULTIPLE else None
    audit(session, actor, "question_edited", survey, text[:100])


def move_question(session: Session, survey: Survey, question: Question, step: int,
                  actor) -> None:
    _require_unlocked(session, survey)
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    survey.questions.sort(key=lambda item: item.position)
    audit(session, actor, "question_moved", survey, f"{question.text[:100]} → {question.position}")


def remove_question(session: Session, survey: Survey, question: Question, actor) -> None:
    _require_unlocked(session, survey)
    audit(session, actor, "question_removed", survey, question.text[:100])
    survey.questions.remove(question)
    for position, item in enumerate(survey.questions, start=1):
        item.position = position


def publish(session: Session, survey: Survey, now: datetime, actor) -> None:
    if survey.status != "draft":
        raise DomainError(_("This survey is already published."))
    if not survey.questions:
        raise DomainError(_("Add at least one question before publishing."))
    if survey.opens_at is None or survey.closes_at is None:
        raise DomainError(_("Set the opening and closing dates before publishing."))
    if survey.closes_at <= now:
        raise DomainError(_("The closing date has passed. Choose a later one."))
    if survey.closes_at <= survey.opens_at:
        raise DomainError(_("The closing date must be after the opening date."))
    if audience.get_source(survey.audience_key) is None:
        raise DomainError(_("Choose who the survey is for."))
    survey.status = "published"
    survey.published_at = now
    audit(session, actor, "survey_published", survey)


def close_now(survey: Survey, now: datetime, actor) -> None:
    if not survey.is_open(now):
        raise DomainError(_("Only an open survey can be closed."))
    survey.closes_at = now
    audit(object_session(survey), actor, "survey_closed", survey)


def copy_survey(session: Session, survey: Survey, author: User) -> Survey:
    copy = Survey(title=_("Copy of %(title)s", title=survey.title)[:120], intro=survey.intro,
                  anonymous=survey.anonymous, audience_key=survey.audience_key,
                  audience_params=dict(survey.audience_params or {}),
                  opens_at=survey.opens_at, closes_at=survey.closes_at,
                  created_by_id=author.id)
    for question in survey.questions:
        copy.questions.append(Question(
            position=question.position, kind=question.kind, text=question.text,
            help=question.help, required=question.required, options=list(question.options),
            max_choices=question.max_choices))
    session.add(copy)
    session.flush()
    audit(session, author, "survey_copied", survey, f"#{copy.id}")
    return copy


def set_summary(survey: Survey, summary: str, published: bool, actor) -> None:
    survey.summary = summary
    survey.summary_published = published and bool(summary)
    audit(object_session(survey), actor,
          "summary_published" if survey.summary_published else "summary_saved", survey)


def minutes_needed(questions: list[Question]) -> int:
    seconds = sum(SECONDS_PER_QUESTION.get(q.kind_enum, 15) for q in questions)
    return max(1, math.ceil(seconds / 60))


def panel(session: Session, now: datetime) -> dict:
    """The /staff/ block: open surveys with their response counts, and drafts waiting."""
    # Survey.responses is kept with each response: no count over the responses here; the
    # drafts are counted in the same statement (a row with no survey when none is open).
    drafts = select(func.count()).select_from(Survey).where(Survey.status == "draft")
    open_ = (select(Survey.id).where(Survey.status == "published", Survey.opens_at <= now,
                                     Survey.closes_at > now)
             .order_by(Survey.closes_at).limit(5).subquery())
    rows = session.execute(
        select(Survey, drafts.scalar_subquery().label("drafts"))
        .select_from(select(drafts.scalar_subquery().label("one")).subquery())
        .outerjoin(open_, true()).outerjoin(Survey, Survey.id == open_.c.id)
        .order_by(Survey.closes_at)).all()
    open_rows = [(row.Survey, row.Survey.responses) for row in rows if row.Survey is not None]
    return {"open": open_rows, "drafts": rows[0].drafts or 0 if rows else 0}
