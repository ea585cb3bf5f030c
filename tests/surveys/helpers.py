"""Build surveys straight in the database for tests that are about answering and results."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import utcnow
from portal.surveys.models import Kind, Question, Survey

EVERY_KIND = [
    (Kind.SINGLE, "How often do you visit the centre?", ["Weekly", "Monthly", "Rarely"], None),
    (Kind.MULTIPLE, "Which services do you use?", ["Requests", "Aid", "Activities", "Minutes"],
     2),
    (Kind.SATISFACTION, "How satisfied are you overall?", [], None),
    (Kind.LIKELIHOOD, "Would you recommend us?", [], None),
    (Kind.SHORT_TEXT, "One thing we do well", [], None),
    (Kind.LONG_TEXT, "Anything else?", [], None),
]


def make_survey(db, *, anonymous=False, audience="all_residents", params=None, status="published",
                opens_in_days=-1, closes_in_days=7, questions=EVERY_KIND, title="Services 2026"):
    now = utcnow()
    survey = Survey(title=title, intro="", anonymous=anonymous, audience_key=audience,
                    audience_params=params or {}, status=status,
                    opens_at=now + timedelta(days=opens_in_days),
                    closes_at=now + timedelta(days=closes_in_days), published_at=now)
    for position, (kind, text, options, most) in enumerate(questions, start=1):
        survey.questions.append(Question(position=position, kind=kind.value, text=text, help="",
                                         required=not kind.is_text, options=list(options),
                                         max_choices=most))
    db.add(survey)
    db.commit()
    return survey


def full_answer(survey, *, single=0, multiple=(0, 1), level=5, score=10, short="Quick",
                long="Thanks"):
    """Form data answering every question of an EVERY_KIND survey."""
    q = {question.kind: f"q{question.id}" for question in survey.questions}
    return {q["single"]: str(single), q["multiple"]: [str(m) for m in multiple],
            q["satisfaction"]: str(level), q["likelihood"]: str(score),
            q["short_text"]: short, q["long_text"]: long}
