"""Surveys, their questions, who took part, and the answers.

Participation (who answered) and responses (what was answered) are separate tables. For an
anonymous survey a response carries no user id and no time, and its key is random, so
nothing in the schema joins an answer back to a resident.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.enums import LabelledEnum


class Kind(LabelledEnum):
    SINGLE = "single", _l("Single choice")
    MULTIPLE = "multiple", _l("Multiple choice")
    SATISFACTION = "satisfaction", _l("Satisfaction (five levels)")
    LIKELIHOOD = "likelihood", _l("Likelihood to recommend (0–10)")
    SHORT_TEXT = "short_text", _l("Short text")
    LONG_TEXT = "long_text", _l("Long text")

    @property
    def has_options(self) -> bool:
        return self in (Kind.SINGLE, Kind.MULTIPLE)

    @property
    def is_text(self) -> bool:
        return self in (Kind.SHORT_TEXT, Kind.LONG_TEXT)


SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000


def new_response_id() -> str:
    # Random, not sequential: a response's key must not reveal when it was made.
    return secrets.token_hex(16)


class Survey(Base):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience_key: Mapped[str] = mapped_column(String(40), default="all_residents")
    audience_params: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_published: Mapped[bool] = mapped_column(default=False)
    # How many responses it has, kept by ``results.count_responses`` with each one: the
    # staff home and the results page read it instead of counting 200,000 rows.
    responses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan")

    def is_open(self, now: datetime) -> bool:
        return (self.status == "published" and self.opens_at is not None
                and self.opens_at <= now < self.closes_at)

    def is_closed(self, now: datetime) -> bool:
        return self.status == "published" and self.closes_at is not None and now >= self.closes_at


class Question(Base):
    __tablename__ = "survey_question"
    __table_args__ = (Index("ix_survey_question_survey_position", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(200))
    help: Mapped[str] = mapped_column(String(300), default="")
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    # People who answered it, kept with each response (see Survey.responses).
    answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)


class Participation(Base):
    """That a resident answered a survey, and when. One per resident per survey."""

    __tablename__ = "survey_participation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Response(Base):
    """One set of answers. ``user_id`` and ``submitted_at`` stay empty when anonymous."""

    __tablename__ = "survey_response"
    # WITHOUT ROWID on SQLite: rows sit in key order, and the key is random, so the file
    # itself keeps no order of arrival that could be matched with participation.
    __table_args__ = (UniqueConstraint("survey_id", "user_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(Base):
    """One answer to one question. ``number`` is the option index, level or score (0 for
    text); a multiple-choice answer has one row per option chosen. No surrogate id: a
    sequence would number answers in the order people took part."""

    __tablename__ = "survey_answer"
    # Covers the results: counts per option, people per question, text answers in order.
    __table_args__ = (Index("ix_survey_answer_question_number", "question_id", "number",
                            "response_id"), {"sqlite_with_rowid": False})

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str | None] = mapped_column(Text)


class Tally(Base):
    """How many answers chose each option, level or score of a question, kept with each
    response (``results.count_responses``): the results page reads a handful of these rows
    whatever the number of responses. Text answers have none."""

    __tablename__ = "survey_tally"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    answers: Mapped[int] = mapped_column(Integer, default=0)
