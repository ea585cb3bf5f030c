"""A demo survey of the kind a 居委会 runs (how often people come, what they use, how satisfied
they are, what to improve); ``--survey-responses N`` answers it N times.

It has no 0–10 "would you recommend us" question: residents don't choose their community
office, so the question means nothing to them (the question type stays for those who want it).
Its intro names no time: the survey page's own estimate, from the questions, is the one."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from portal.accounts.demo import demo_password_hash
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.surveys.models import (
    Answer,
    Kind,
    Participation,
    Question,
    Response,
    Survey,
    new_response_id,
)
from portal.surveys.service import tallies

DEMO_TITLE = "2026年社区服务满意度调查"
DEMO_INTRO = "请告诉我们您对社区服务的感受，帮我们把工作做得更好。答卷匿名。"
DEMO_PHONE_PREFIX = "1669"  # bulk demo residents: 1669xxxxxxx
QUESTIONS = [
    (Kind.SINGLE, "您多久来一次社区服务中心？", ["每周", "每月", "很少", "从不"], None),
    (Kind.MULTIPLE, "您最常用哪些服务？（最多选两项）",
     ["诉求", "救助申请", "文体活动", "会议纪要"], 2),
    (Kind.SATISFACTION, "您对社区服务的总体满意度如何？", [], None),
    (Kind.SHORT_TEXT, "一句话说说最满意的地方", [], None),
    (Kind.LONG_TEXT, "您还有什么意见或建议？", [], None),
]


def demo_survey(session) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.title == DEMO_TITLE))
    if survey is not None:
        return survey
    now = utcnow()
    survey = Survey(title=DEMO_TITLE, intro=DEMO_INTRO,
                    anonymous=True, audience_key="all_residents", audience_params={},
                    status="published", opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=30), published_at=now)
    for position, (kind, text, options, most) in enumerate(QUESTIONS, start=1):
        survey.questions.append(Question(position=position, kind=kind.value, text=text,
                                         help="", required=kind.is_text is False,
                                         options=options, max_choices=most))
    session.add(survey)
    session.flush()
    return survey


def _demo_residents(session, wanted: int) -> list[int]:
    have = session.scalar(select(func.count()).select_from(User)
                          .where(User.phone.like(DEMO_PHONE_PREFIX + "%"))) or 0
    if have < wanted:
        password = demo_password_hash()
        rows = [{"phone": f"{DEMO_PHONE_PREFIX}{number:07d}", "name": f"居民{number}",
                 "password_hash": password, "role": Role.RESIDENT.value, "active": True,
                 "building": f"{number % 12 + 1}号楼", "unit": f"{number % 4 + 1}单元",
                 "room": str(100 + number % 600), "session_token": f"demo{number:020d}",
                 "created_at": utcnow()}
                for number in range(have, wanted)]
        for start in range(0, len(rows), 5000):
            session.execute(insert(User), rows[start:start + 5000])
    return list(session.scalars(select(User.id).where(User.phone.like(DEMO_PHONE_PREFIX + "%"))
                                .order_by(User.id).limit(wanted)))


def load(session, echo, scale=None) -> None:
    survey = demo_survey(session)
    if scale:
        answered = set(session.scalars(select(Participation.user_id)
                                       .where(Participation.survey_id == survey.id)))
        missing = [uid for uid in _demo_residents(session, scale) if uid not in answered]
        missing = missing[:max(0, scale - len(answered))]
        bulk_responses(session, survey, missing)
    session.refresh(survey)
    echo(f"Demo survey #{survey.id} has {survey.responses} responses.")


DEMO_TEXTS = ["电梯维修很及时", "希望多组织老年活动", "楼道灯坏了", "垃圾分类做得好",
              "停车位太少", "Thank you for your work"]


def bulk_responses(session: Session, survey: Survey, user_ids: list[int], seed: int = 7) -> int:
    """Answer the survey for each of these users with bulk inserts (demo and benchmarks)."""
    rng = random.Random(seed)
    questions = list(survey.questions)
    now = utcnow()
    batch = 2000
    people, tallied = Counter(), Counter()
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
                chosen = _demo_answer(rng, question)
                people[question.id] += bool(chosen)
                for number, text in chosen:
                    answers.append({"response_id": response_id, "question_id": question.id,
                                    "number": number, "text": text})
                    if text is None:
                        tallied[question.id, number] += 1
        session.execute(insert(Participation), participations)
        session.execute(insert(Response), responses)
        if answers:
            session.execute(insert(Answer), answers)
    if user_ids:
        tallies.count_responses(session, survey.id, len(user_ids), people, tallied)
    return len(user_ids)


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
