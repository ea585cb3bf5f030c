"""Residents answering: the surveys meant for them, checking answers, one response each."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.errors import DomainError
from portal.satisfaction import LEVELS
from portal.surveys import audience
from portal.surveys.models import (
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    Answer,
    Kind,
    Participation,
    Question,
    Response,
    Survey,
)
from portal.surveys.service import tallies


class SurveyClosed(DomainError):
    """Answers sent after the survey closed (a conflict with its state, not a typing error)."""

    status = 409


class AlreadyAnswered(DomainError):
    """A second response from the same person: the view thanks them rather than refusing."""


def open_surveys_for(session: Session, user: User, now: datetime) -> list[Survey]:
    """Open surveys meant for this person that they haven't answered: two queries."""
    candidates = list(session.scalars(
        select(Survey).where(Survey.status == "published", Survey.opens_at <= now,
                             Survey.closes_at > now,
                             ~select(Participation.id).where(
                                 Participation.survey_id == Survey.id,
                                 Participation.user_id == user.id).exists())
        .options(selectinload(Survey.questions))
        .order_by(Survey.closes_at, Survey.id)))
    if not candidates:
        return []
    mine = audience.surveys_for_user(session, candidates, user.id)
    return [survey for survey in candidates if survey.id in mine]


def answered_statement(user_id: int):
    return (select(Survey, Participation.created_at)
            .join(Participation, Participation.survey_id == Survey.id)
            .where(Participation.user_id == user_id)
            .order_by(Participation.created_at.desc(), Survey.id.desc()))


def has_answered(session: Session, survey_id: int, user_id: int) -> bool:
    return session.scalar(select(select(Participation.id).where(
        Participation.survey_id == survey_id, Participation.user_id == user_id).exists()))


def visible_survey(session: Session, survey_id: int, user: User, now: datetime):
    """A published survey this person may see (audience or past participant), or None."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.status != "published" or survey.opens_at > now:
        return None
    if has_answered(session, survey.id, user.id) or audience.is_member(session, survey, user.id):
        return survey
    return None


def _text_answer(question: Question, number: int, formdata, values: dict, errors: list):
    name = f"q{question.id}"
    text = (formdata.get(name) or "").strip()
    limit = SHORT_TEXT_MAX if question.kind_enum is Kind.SHORT_TEXT else LONG_TEXT_MAX
    if len(text) > limit:
        errors.append((name, _("Question %(n)d: please keep your answer under "
                               "%(limit)d characters (you wrote %(length)d).",
                               n=number, limit=limit, length=len(text))))
    elif text:
        values[question.id] = text
    elif question.required:
        errors.append((name, _("Question %(n)d: please write an answer.", n=number)))


def _allowed(question: Question):
    kind = question.kind_enum
    if kind is Kind.SINGLE or kind is Kind.MULTIPLE:
        return range(len(question.options))
    if kind is Kind.SATISFACTION:
        return [int(level) for level in LEVELS]
    return range(11)


def _chosen_answer(question: Question, number: int, formdata, values: dict, errors: list):
    kind = question.kind_enum
    first_id = f"q{question.id}-0"
    raw = [value for value in formdata.getlist(f"q{question.id}") if value != ""]
    try:
        chosen = sorted({int(value) for value in raw})
    except ValueError:
        chosen = [-1]
    if not chosen:
        if question.required:
            errors.append((first_id, _("Question %(n)d: please choose an answer.", n=number)))
        return
    allowed = _allowed(question)
    if any(value not in allowed for value in chosen) or \
            (kind is not Kind.MULTIPLE and len(chosen) > 1):
        errors.append((first_id, _("Question %(n)d: that choice is not one of the "
                                   "options. Please choose again.", n=number)))
        return
    if kind is not Kind.MULTIPLE:
        values[question.id] = chosen[0]
    elif question.max_choices and len(chosen) > question.max_choices:
        errors.append((first_id, _("Question %(n)d: choose at most %(max)d.",
                                   n=number, max=question.max_choices)))
    else:
        values[question.id] = chosen


def parse_answers(questions: list[Question], formdata) -> tuple[dict, list]:
    """Check what a resident sent: ({question id: value}, [(field id, message)]).

    A value is an int (single choice, level, score), a list of ints (multiple) or a str.
    """
    values, errors = {}, []
    for number, question in enumerate(questions, start=1):
        check = _text_answer if question.kind_enum.is_text else _chosen_answer
        check(question, number, formdata, values, errors)
    return values, errors


def submit(session: Session, survey: Survey, user: User, values: dict, now: datetime) -> None:
    """Record one response. Raises SurveyClosed when closed, AlreadyAnswered on a second try.

    The unique constraint on (survey, user) decides a race between two submits: the loser's
    transaction is rolled back and nothing of it stays.
    """
    if not survey.is_open(now):
        raise SurveyClosed(_("This survey is closed, so we could not take your answers. "
                             "Thank you all the same."))
    if has_answered(session, survey.id, user.id):
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!"))
    anonymous = survey.anonymous
    response = Response(survey_id=survey.id, user_id=None if anonymous else user.id,
                        submitted_at=None if anonymous else now)
    try:
        with session.begin_nested():
            session.add(Participation(survey_id=survey.id, user_id=user.id, created_at=now))
            session.add(response)
            session.flush()
            session.add_all(answer_rows(response.id, values))
            session.flush()
            tallies.count_one(session, survey.id, values)
    except IntegrityError:
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from None


def answer_rows(response_id: str, values: dict) -> list[Answer]:
    rows = []
    for question_id, value in values.items():
        if isinstance(value, str):
            rows.append(Answer(response_id=response_id, question_id=question_id, number=0,
                               text=value))
        else:
            for number in value if isinstance(value, list) else [value]:
                rows.append(Answer(response_id=response_id, question_id=question_id,
                                   number=number))
    return rows
