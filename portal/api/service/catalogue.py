"""The services the API offers (the request categories) and the extra questions staff attach
to a category, which make up its Open311 service definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.api.models import ServiceQuestion
from portal.audit.service import record
from portal.errors import DomainError
from portal.service_requests.models import RequestCategory
from portal.web.inputs import has_control_characters

# The datatypes of GeoReport v2 attributes, with the words staff choose them by.
DATATYPES = {
    "string": _l("A short answer"),
    "text": _l("A longer answer"),
    "number": _l("A number"),
    "datetime": _l("A date and time"),
    "singlevaluelist": _l("One of a list"),
    "multivaluelist": _l("Any of a list"),
}
LISTS = ("singlevaluelist", "multivaluelist")
MAX_ANSWER = {"string": 200, "text": 2000}


def active_categories(session: Session) -> list[RequestCategory]:
    return list(session.scalars(select(RequestCategory).where(RequestCategory.active.is_(True))
                                .order_by(RequestCategory.position, RequestCategory.id)))


def category_by_code(session: Session, code: str) -> RequestCategory | None:
    if not code or len(code) > 30 or has_control_characters(code):
        return None
    return session.scalar(select(RequestCategory).where(RequestCategory.key == code,
                                                        RequestCategory.active.is_(True)))


def categories_with_questions(session: Session) -> set[int]:
    return set(session.scalars(select(ServiceQuestion.category_id).distinct()
                               .where(ServiceQuestion.active.is_(True))))


def questions(session: Session, category_id: int | None = None,
              active_only: bool = True) -> list[ServiceQuestion]:
    statement = select(ServiceQuestion).order_by(ServiceQuestion.category_id,
                                                 ServiceQuestion.position, ServiceQuestion.id)
    if category_id is not None:
        statement = statement.where(ServiceQuestion.category_id == category_id)
    if active_only:
        statement = statement.where(ServiceQuestion.active.is_(True))
    return list(session.scalars(statement))


def save_question(session: Session, question: ServiceQuestion | None, *,
                  category: RequestCategory, prompt_zh: str, prompt_en: str, datatype: str,
                  required: bool, options: str, position: int, active: bool,
                  actor=None) -> ServiceQuestion:
    if datatype not in DATATYPES:
        raise DomainError(_l("Choose the kind of answer."), field="datatype")
    choices = [line.strip() for line in (options or "").splitlines() if line.strip()]
    if datatype in LISTS and len(choices) < 2:
        raise DomainError(_l("Give at least two choices, one a line."), field="options")
    if any(len(choice) > 100 for choice in choices) or len(choices) > 30:
        raise DomainError(_l("At most 30 choices of up to 100 characters each."),
                          field="options")
    action = "api_question_edited" if question is not None else "api_question_added"
    if question is None:
        question = ServiceQuestion()
        session.add(question)
    question.category_id, question.category = category.id, category
    question.prompt_zh, question.prompt_en = prompt_zh.strip(), prompt_en.strip()
    question.datatype, question.required, question.active = datatype, required, active
    question.options = "\n".join(choices) if datatype in LISTS else ""
    question.position = position
    session.flush()
    record(session, actor, "settings", action, f"#{question.id} {question.prompt_zh}",
           category.name_zh)
    return question


@dataclass(frozen=True)
class Answer:
    question: ServiceQuestion
    values: tuple[str, ...]


def check_answers(asked: list[ServiceQuestion], given: dict[str, list[str]],
                  locale: str) -> list[Answer]:
    """The answers to a category's questions, checked; a DomainError names the first wrong
    one by its code (``attribute[q3]``)."""
    answers = []
    for question in asked:
        values = tuple(value.strip() for value in given.get(question.code, []) if value.strip())
        field = f"attribute[{question.code}]"
        if not values:
            if question.required:
                raise DomainError(_l("Answer the question “%(question)s”.",
                                     question=question.prompt(locale)), field=field)
            continue
        if question.datatype != "multivaluelist" and len(values) > 1:
            raise DomainError(_l("Give one answer to “%(question)s”.",
                                 question=question.prompt(locale)), field=field)
        if not all(_valid(question, value) for value in values):
            raise DomainError(_l("The answer to “%(question)s” is not one it takes.",
                                 question=question.prompt(locale)), field=field)
        answers.append(Answer(question, values))
    return answers


def _valid(question: ServiceQuestion, value: str) -> bool:
    if question.datatype in LISTS:
        return value in question.choices
    if question.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            return False
        return number == number and abs(number) < 1e12  # not NaN, not absurd
    if question.datatype == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    return len(value) <= MAX_ANSWER[question.datatype]
