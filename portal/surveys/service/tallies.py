"""The counts kept with every response: responses per survey, people per question, answers
per option. Kept in the response's transaction, so they always equal the rows; the results
page and the staff home read them in constant time whatever the number of responses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import case, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from portal.db import upsert
from portal.surveys.models import Question, Survey, Tally


def answered_numbers(values: dict) -> Iterable[tuple[int, int | None]]:
    """(question id, number) for each answer of one response's parsed values; None for a
    text answer, which is counted as answered but has no tally."""
    for question_id, value in values.items():
        if isinstance(value, str):
            yield question_id, None
        else:
            for number in value if isinstance(value, list) else [value]:
                yield question_id, number


def count_responses(session: Session, survey_id: int, responses: int,
                    people: Counter, answers: Counter) -> None:
    """Add ``responses`` to the survey, ``people[question id]`` to each question and
    ``answers[(question id, number)]`` to each tally: three statements, each an atomic
    increment (concurrent responses wait on the row, never lose a count)."""
    session.execute(update(Survey).where(Survey.id == survey_id)
                    .values(responses=Survey.responses + responses)
                    .execution_options(synchronize_session=False))
    if people:
        session.execute(update(Question).where(Question.id.in_(list(people)))
                        .values(answered=Question.answered + case(people, value=Question.id))
                        .execution_options(synchronize_session=False))
    if answers:
        statement = upsert(session, Tally).values([
            {"question_id": question_id, "number": number, "answers": count}
            for (question_id, number), count in sorted(answers.items())])
        session.execute(statement.on_conflict_do_update(
            index_elements=["question_id", "number"],
            set_={"answers": Tally.answers + statement.excluded.answers}))
    _expire(session, Survey, [survey_id], "responses")
    _expire(session, Question, people, "answered")


def _expire(session: Session, model, ids: Iterable[int], attribute: str) -> None:
    """The objects already loaded read the new count on their next access."""
    for object_id in ids:
        loaded = session.identity_map.get(identity_key(model, object_id))
        if loaded is not None:
            session.expire(loaded, [attribute])


def count_one(session: Session, survey_id: int, values: dict) -> None:
    """The counts of one response just recorded."""
    people, answers = Counter(), Counter()
    for question_id, number in answered_numbers(values):
        people[question_id] = 1
        if number is not None:
            answers[question_id, number] += 1
    count_responses(session, survey_id, 1, people, answers)
