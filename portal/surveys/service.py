"""Survey rules: building, publishing, answering once, and reading the results. Never commits."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.clock import utcnow
from portal.satisfaction import LEVELS, Level, satisfaction_rate
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
    new_response_id,
)
from portal.web.pagination import Page, paginate

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_OPTIONS = 20
OPTION_MAX = 100
SECONDS_PER_QUESTION = {Kind.SHORT_TEXT: 30, Kind.LONG_TEXT: 60}
TEXT_PREVIEW = 5  # free-text answers shown per question on the results page


class SurveyError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadyAnswered(SurveyError):
    pass


# --- dates ---------------------------------------------------------------------------------

def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC)


def local_day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL).date()


def last_day(survey: Survey) -> date | None:
    """The last day a survey is open: it closes at the start of the next day."""
    return None if survey.closes_at is None else local_day(survey.closes_at - timedelta(seconds=1))


# --- building ------------------------------------------------------------------------------

def staff_statement():
    return select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())


def get_survey(session: Session, survey_id: int) -> Survey | None:
    return session.get(Survey, survey_id)


def create_survey(session: Session, title: str, author: User) -> Survey:
    survey = Survey(title=title, intro="", created_by_id=author.id, audience_params={})
    session.add(survey)
    session.flush()
    return survey


def response_count(session: Session, survey_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Response)
                          .where(Response.survey_id == survey_id)) or 0


def questions_locked(session: Session, survey: Survey) -> bool:
    """Questions may change until the first response arrives."""
    return session.scalar(select(select(Response.id).where(Response.survey_id == survey.id)
                                 .exists())) or False


def _require_unlocked(session: Session, survey: Survey) -> None:
    if questions_locked(session, survey):
        raise SurveyError(_("People have already answered this survey, so its questions can "
                            "no longer change. Copy it into a new draft instead."))


def update_settings(session: Session, survey: Survey, *, title: str, intro: str,
                    opens_on: date, closes_on: date, anonymous: bool, audience_key: str,
                    audience_params: dict) -> None:
    if survey.status == "published" and anonymous != survey.anonymous and \
            questions_locked(session, survey):
        raise SurveyError(_("People have already answered, so the survey can't switch "
                            "between anonymous and named."), field="anonymous")
    survey.title = title
    survey.intro = intro
    survey.opens_at = start_of_day(opens_on)
    survey.closes_at = start_of_day(closes_on + timedelta(days=1))
    survey.anonymous = anonymous
    survey.audience_key = audience_key
    survey.audience_params = audience_params


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
            raise SurveyError(_("Give at least two options, one per line."), field="options")
        if len(options) > MAX_OPTIONS:
            raise SurveyError(_("Give at most %(n)d options.", n=MAX_OPTIONS), field="options")
        if any(len(option) > OPTION_MAX for option in options):
            raise SurveyError(_("Keep each option under %(n)d characters.", n=OPTION_MAX),
                              field="options")
    if max_choices is not None and kind is Kind.MULTIPLE and \
            not 1 <= max_choices <= len(options):
        raise SurveyError(_("The most choices must be between 1 and the number of options."),
                          field="max_choices")


def add_question(session: Session, survey: Survey, *, kind: Kind, text: str, help: str,
                 required: bool, options: list[str], max_choices: int | None) -> Question:
    _require_unlocked(session, survey)
    check_question(kind, options, max_choices)
    position = max((question.position for question in survey.questions), default=0) + 1
    question = Question(kind=kind.value, text=text, help=help, required=required, position=position,
                        options=options if kind.has_options else [],
                        max_choices=max_choices if kind is Kind.MULTIPLE else None)
    survey.questions.append(question)
    session.flush()
    return question


def get_question(survey: Survey, question_id: int) -> Question | None:
    return next((q for q in survey.questions if q.id == question_id), None)


def update_question(session: Session, survey: Survey, question: Question, *, kind: Kind,
                    text: str, help: str, required: bool, options: list[str],
                    max_choices: int | None) -> None:
    _require_unlocked(session, survey)
    check_question(kind, options, max_choices)
    question.kind = kind.value
    question.text = text
    question.help = help
    question.required = required
    question.options = options if kind.has_options else []
    question.max_choices = max_choices if kind is Kind.MULTIPLE else None


def move_question(session: Session, survey: Survey, question: Question, step: int) -> None:
    _require_unlocked(session, survey)
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    survey.questions.sort(key=lambda item: item.position)


def remove_question(session: Session, survey: Survey, question: Question) -> None:
    _require_unlocked(session, survey)
    survey.questions.remove(question)
    for position, item in enumerate(survey.questions, start=1):
        item.position = position


def publish(session: Session, survey: Survey, now: datetime) -> None:
    if survey.status != "draft":
        raise SurveyError(_("This survey is already published."))
    if not survey.questions:
        raise SurveyError(_("Add at least one question before publishing."))
    if survey.opens_at is None or survey.closes_at is None:
        raise SurveyError(_("Set the opening and closing dates before publishing."))
    if survey.closes_at <= now:
        raise SurveyError(_("The closing date has passed. Choose a later one."))
    if survey.closes_at <= survey.opens_at:
        raise SurveyError(_("The closing date must be after the opening date."))
    if audience.get_source(survey.audience_key) is None:
        raise SurveyError(_("Choose who the survey is for."))
    survey.status = "published"
    survey.published_at = now


def close_now(survey: Survey, now: datetime) -> None:
    if not survey.is_open(now):
        raise SurveyError(_("Only an open survey can be closed."))
    survey.closes_at = now


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
    return copy


def set_summary(survey: Survey, summary: str, published: bool) -> None:
    survey.summary = summary
    survey.summary_published = published and bool(summary)


def minutes_needed(questions: list[Question]) -> int:
    seconds = sum(SECONDS_PER_QUESTION.get(q.kind_enum, 15) for q in questions)
    return max(1, math.ceil(seconds / 60))


# --- residents -----------------------------------------------------------------------------

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


def parse_answers(questions: list[Question], formdata) -> tuple[dict, list]:
    """Check what a resident sent: ({question id: value}, [(field id, message)]).

    A value is an int (single choice, level, score), a list of ints (multiple) or a str.
    """
    values, errors = {}, []
    for number, question in enumerate(questions, start=1):
        name = f"q{question.id}"
        kind = question.kind_enum
        if kind.is_text:
            text = (formdata.get(name) or "").strip()
            limit = SHORT_TEXT_MAX if kind is Kind.SHORT_TEXT else LONG_TEXT_MAX
            if len(text) > limit:
                errors.append((name, _("Question %(n)d: please keep your answer under "
                                       "%(limit)d characters (you wrote %(length)d).",
                                       n=number, limit=limit, length=len(text))))
            elif text:
                values[question.id] = text
            elif question.required:
                errors.append((name, _("Question %(n)d: please write an answer.", n=number)))
            continue
        raw = [value for value in formdata.getlist(name) if value != ""]
        if kind is Kind.SINGLE or kind is Kind.MULTIPLE:
            allowed = range(len(question.options))
        elif kind is Kind.SATISFACTION:
            allowed = [int(level) for level in LEVELS]
        else:
            allowed = range(11)
        try:
            chosen = sorted({int(value) for value in raw})
        except ValueError:
            chosen = [-1]
        first_id = f"{name}-0"
        if not chosen:
            if question.required:
                errors.append((first_id, _("Question %(n)d: please choose an answer.",
                                           n=number)))
            continue
        if any(value not in allowed for value in chosen) or \
                (kind is not Kind.MULTIPLE and len(chosen) > 1):
            errors.append((first_id, _("Question %(n)d: that choice is not one of the "
                                       "options. Please choose again.", n=number)))
            continue
        if kind is Kind.MULTIPLE:
            if question.max_choices and len(chosen) > question.max_choices:
                errors.append((first_id, _("Question %(n)d: choose at most %(max)d.",
                                           n=number, max=question.max_choices)))
                continue
            values[question.id] = chosen
        else:
            values[question.id] = chosen[0]
    return values, errors


def submit(session: Session, survey: Survey, user: User, values: dict, now: datetime) -> None:
    """Record one response. Raises SurveyError when closed, AlreadyAnswered on a second try.

    The unique constraint on (survey, user) decides a race between two submits: the loser's
    transaction is rolled back and nothing of it stays.
    """
    if not survey.is_open(now):
        raise SurveyError(_("This survey is closed, so we could not take your answers. "
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
            session.add_all(_answer_rows(response.id, values))
            session.flush()
    except IntegrityError:
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from None


def _answer_rows(response_id: str, values: dict) -> list[Answer]:
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


def published_surveys_with_summary(session: Session, survey_id: int):
    return session.scalar(select(Survey).where(Survey.id == survey_id,
                                               Survey.summary_published.is_(True)))


# --- results -------------------------------------------------------------------------------

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


def results(session: Session, survey: Survey) -> Results:
    """Everything the results page shows, in a fixed number of queries whatever the size."""
    questions = list(survey.questions)
    question_ids = [q.id for q in questions]
    counts: dict[int, dict[int, int]] = {q: {} for q in question_ids}
    people: dict[int, int] = {}
    if question_ids:
        for question_id, number, count in session.execute(
                select(Answer.question_id, Answer.number, func.count())
                .where(Answer.question_id.in_(question_ids))
                .group_by(Answer.question_id, Answer.number)):
            counts[question_id][number] = count
        for question_id, found in counts.items():
            people[question_id] = sum(found.values())
        # Only a multiple-choice answer can take several rows; count its people apart.
        several = [q.id for q in questions if q.kind_enum is Kind.MULTIPLE]
        if several:
            for question_id, count in session.execute(
                    select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
                    .where(Answer.question_id.in_(several))
                    .group_by(Answer.question_id)):
                people[question_id] = count
    texts = _first_texts(session, [q.id for q in questions if q.kind_enum.is_text])
    out = []
    for question in questions:
        result = QuestionResult(question, answered=people.get(question.id, 0))
        found = counts[question.id]
        kind = question.kind_enum
        base = result.answered or 1
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
            result.texts = texts.get(question.id, [])
        out.append(result)
    return Results(responses=response_count(session, survey.id),
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


# --- CSV -----------------------------------------------------------------------------------

def _safe_cell(value: str) -> str:
    # A spreadsheet runs cells that start with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(session: Session, survey: Survey, questions: list[Question]) -> Iterator[str]:
    """One row per response, columns in question order; streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_safe_cell(str(cell)) for cell in cells])
        return buffer.getvalue()

    named = not survey.anonymous
    header = ([_("Response")] + ([_("Resident"), _("Building"), _("Answered at")]
                                  if named else [])
              + [f"{i}. {q.text}" for i, q in enumerate(questions, start=1)])
    yield "\ufeff" + line(header)  # a BOM so spreadsheet programs read the Chinese right
    columns = {q.id: i for i, q in enumerate(questions)}
    labels = {q.id: _answer_labels(q) for q in questions}
    people = [User.name, User.building, Response.submitted_at] if named else []
    statement = (select(Response.id, Answer.question_id, Answer.number, Answer.text, *people)
                 .outerjoin(User, User.id == Response.user_id)
                 .outerjoin(Answer, Answer.response_id == Response.id)
                 .where(Response.survey_id == survey.id)
                 .order_by(Response.id, Answer.question_id, Answer.number))
    # Core rather than the ORM, streamed in batches: 20,000 responses are ~150,000 rows.
    rows = session.connection().execution_options(yield_per=2000).execute(statement)
    current, person, cells, serial = None, (), None, 0
    for response_id, question_id, number, text, *who in rows:
        if response_id != current:
            if current is not None:
                yield line(_row(serial, person, cells))
            current, serial = response_id, serial + 1
            if who:
                name, building, submitted_at = who
                person = (name or "", building or "",
                          submitted_at.isoformat() if submitted_at else "")
            cells = [[] for _ in questions]
        if question_id in columns:
            names = labels[question_id]
            cells[columns[question_id]].append(text or "" if names is None
                                               else names.get(number, ""))
    if current is not None:
        yield line(_row(serial, person, cells))


def _row(serial, person, cells):
    return [serial, *person] + ["; ".join(cell) for cell in cells]


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


# --- demo data -----------------------------------------------------------------------------

def bulk_responses(session: Session, survey: Survey, user_ids: list[int], seed: int = 7) -> int:
    """Answer the survey for each of these users with bulk inserts (demo and benchmarks)."""
    import random

    rng = random.Random(seed)
    questions = list(survey.questions)
    now = utcnow()
    batch = 2000
    for start in range(0, len(user_ids), batch):
        chunk = user_ids[start:start + batch]
        participations, responses, answers = [], [], []
        for user_id in chunk:
            response_id = new_response_id()
            participations.append({"survey_id": survey.id, "user_id": user_id,
                                   "created_at": now})
            responses.append({"id": response_id, "survey_id": survey.id,
                              "user_id": None if survey.anonymous else user_id,
                              "submitted_at": None if survey.anonymous else now})
            for question in questions:
                for number, text in _demo_answer(rng, question):
                    answers.append({"response_id": response_id, "question_id": question.id,
                                    "number": number, "text": text})
        session.execute(insert(Participation), participations)
        session.execute(insert(Response), responses)
        if answers:
            session.execute(insert(Answer), answers)
    return len(user_ids)


DEMO_TEXTS = ["电梯维修很及时", "希望多组织老年活动", "楼道灯坏了", "垃圾分类做得好",
              "停车位太少", "Thank you for your work"]


def _demo_answer(rng, question: Question) -> list[tuple[int, str | None]]:
    kind = question.kind_enum
    if kind is Kind.SINGLE:
        return [(rng.randrange(len(question.options)), None)]
    if kind is Kind.MULTIPLE:
        limit = question.max_choices or len(question.options)
        picks = rng.sample(range(len(question.options)), rng.randint(1, limit))
        return [(pick, None) for pick in sorted(picks)]
    if kind is Kind.SATISFACTION:
        return [(rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0], None)]
    if kind is Kind.LIKELIHOOD:
        return [(rng.choices(range(11), [1, 1, 1, 2, 2, 4, 5, 8, 12, 20, 20])[0], None)]
    if rng.random() < 0.5:
        return []
    return [(0, rng.choice(DEMO_TEXTS))]


def remove_responses(session: Session, survey: Survey) -> None:
    session.execute(delete(Participation).where(Participation.survey_id == survey.id))
    session.execute(delete(Response).where(Response.survey_id == survey.id))


def panel(session: Session, now: datetime) -> dict:
    """The /staff/ block: open surveys with their response counts, and drafts waiting."""
    open_rows = session.execute(
        select(Survey, func.count(Response.id))
        .outerjoin(Response, Response.survey_id == Survey.id)
        .where(Survey.status == "published", Survey.opens_at <= now, Survey.closes_at > now)
        .group_by(Survey.id).order_by(Survey.closes_at).limit(5)).all()
    drafts = session.scalar(select(func.count()).select_from(Survey)
                            .where(Survey.status == "draft")) or 0
    return {"open": open_rows, "drafts": drafts}
