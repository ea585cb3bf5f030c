"""Reading the results: counts per answer, satisfaction rate, NPS, free text, the export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_pgettext
from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.satisfaction import LEVELS, Level, satisfaction_rate
from portal.surveys import audience
from portal.surveys.models import Answer, Kind, Question, Response, Survey, Tally
from portal.web.pagination import Page, paginate

TEXT_PREVIEW = 5  # free-text answers shown per question on the results page


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the answers to this question


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # people who answered this question
    bars: list[Bar] = field(default_factory=list)
    rate: float | None = None  # satisfaction rate
    fairly: Bar | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    responses: int
    audience: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> float | None:
        return self.responses / self.audience if self.audience else None


def nps(scores: dict[int, int]) -> tuple[float | None, int, int, int]:
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), from -100 to 100."""
    total = sum(scores.values())
    promoters = scores.get(9, 0) + scores.get(10, 0)
    detractors = sum(count for score, count in scores.items() if score <= 6)
    if not total:
        return None, 0, 0, 0
    return (100 * (promoters - detractors) / total, promoters, total - promoters - detractors,
            detractors)


def _answer_counts(session: Session, questions: list[Question]) -> dict[int, dict[int, int]]:
    """{question id: {number: answers}} from the tallies kept with each response: one
    statement over a few rows per question, whatever the number of responses."""
    counts: dict[int, dict[int, int]] = {q.id: {} for q in questions}
    if counts:
        for question_id, number, answers in session.execute(
                select(Tally.question_id, Tally.number, Tally.answers)
                .where(Tally.question_id.in_(list(counts)))):
            counts[question_id][number] = answers
    return counts


def _question_result(question: Question, found: dict[int, int], answered: int,
                     texts: list[str]) -> QuestionResult:
    result = QuestionResult(question, answered=answered)
    kind = question.kind_enum
    base = answered or 1
    if kind.has_options:
        result.bars = [Bar(option, found.get(i, 0), found.get(i, 0) / base)
                       for i, option in enumerate(question.options)]
    elif kind is Kind.SATISFACTION:
        result.bars = [Bar(str(level.label), found.get(int(level), 0),
                           found.get(int(level), 0) / base) for level in LEVELS]
        result.rate = satisfaction_rate(found)
        result.fairly = result.bars[LEVELS.index(Level.FAIRLY_SATISFIED)]
    elif kind is Kind.LIKELIHOOD:
        result.bars = [Bar(str(score), found.get(score, 0), found.get(score, 0) / base)
                       for score in range(11)]
        result.nps, result.promoters, result.passives, result.detractors = nps(found)
    else:
        result.texts = texts
    return result


def results(session: Session, survey: Survey) -> Results:
    """Everything the results page shows, in a fixed number of queries whatever the size."""
    questions = list(survey.questions)
    counts = _answer_counts(session, questions)
    texts = _first_texts(session, [q.id for q in questions if q.kind_enum.is_text])
    out = [_question_result(question, counts[question.id], question.answered,
                            texts.get(question.id, []))
           for question in questions]
    return Results(responses=survey.responses,
                   audience=audience.audience_size(session, survey), questions=out)


def _first_texts(session: Session, question_ids: list[int]) -> dict[int, list[str]]:
    """The first few free-text answers of every text question, in one query."""
    if not question_ids:
        return {}
    firsts = [select(Answer.question_id, Answer.text).where(Answer.question_id == question_id)
              .order_by(Answer.number, Answer.response_id).limit(TEXT_PREVIEW).subquery()
              for question_id in question_ids]
    found: dict[int, list[str]] = {}
    for question_id, text in session.execute(union_all(*(select(first) for first in firsts))):
        found.setdefault(question_id, []).append(text)
    return found


def text_answers_page(session: Session, question: Question, number: int) -> Page:
    statement = (select(Answer.text).where(Answer.question_id == question.id)
                 .order_by(Answer.number, Answer.response_id))
    return paginate(session, statement, number, per_page=50)


# --- the export ----------------------------------------------------------------------------

RESPONSE_COLUMN = lazy_pgettext("survey export column", "Response")
NAMED_COLUMNS = (lazy_pgettext("survey export column", "Resident"),
                 lazy_pgettext("survey export column", "Building"),
                 lazy_pgettext("survey export column", "Answered at"))


def _answer_labels(question: Question) -> dict[int, str] | None:
    """What each stored number means in this question, worked out once; None for text."""
    kind = question.kind_enum
    if kind.is_text:
        return None
    if kind.has_options:
        return dict(enumerate(question.options))
    if kind is Kind.SATISFACTION:
        return {int(level): str(level.label) for level in LEVELS}
    return {score: str(score) for score in range(11)}


@dataclass(frozen=True)
class ResponseExport:
    """The export of one survey, worked out from the survey before the stream starts: the
    rows come later, from a session of the export's own."""

    survey_id: int
    named: bool
    columns: dict[int, int]  # question id -> column
    labels: dict[int, dict[int, str] | None]
    headers: list

    def rows(self, session: Session) -> Iterator[list]:
        """One row per response, answers in question order (several joined with "; ")."""
        people = [User.name, User.building, Response.submitted_at] if self.named else []
        statement = (select(Response.id, Answer.question_id, Answer.number, Answer.text,
                            *people)
                     .outerjoin(User, User.id == Response.user_id)
                     .outerjoin(Answer, Answer.response_id == Response.id)
                     .where(Response.survey_id == self.survey_id)
                     .order_by(Response.id, Answer.question_id, Answer.number))
        # Core rather than the ORM, in batches: 20,000 responses are ~150,000 rows.
        found = session.connection().execution_options(yield_per=2000).execute(statement)
        current, person, cells, serial = None, [], None, 0
        for response_id, question_id, number, text, *who in found:
            if response_id != current:
                if current is not None:
                    yield [serial, *person, *("; ".join(cell) for cell in cells)]
                current, serial, person = response_id, serial + 1, who
                cells = [[] for _ in self.columns]
            if question_id in self.columns:
                names = self.labels[question_id]
                cells[self.columns[question_id]].append(
                    text or "" if names is None else names.get(number, ""))
        if current is not None:
            yield [serial, *person, *("; ".join(cell) for cell in cells)]


def response_export(survey: Survey) -> ResponseExport:
    questions = list(survey.questions)
    named = not survey.anonymous
    headers = [RESPONSE_COLUMN, *(NAMED_COLUMNS if named else ()),
               *(f"{i}. {q.text}" for i, q in enumerate(questions, start=1))]
    return ResponseExport(survey_id=survey.id, named=named,
                          columns={q.id: i for i, q in enumerate(questions)},
                          labels={q.id: _answer_labels(q) for q in questions},
                          headers=headers)
