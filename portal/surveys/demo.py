"""A demo survey with one question of each type; ``--survey-responses N`` answers it N times."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.surveys import service
from portal.surveys.models import Kind, Participation, Question, Survey

DEMO_TITLE = "2026年社区服务满意度调查"
DEMO_PHONE_PREFIX = "1669"  # bulk demo residents: 1669xxxxxxx
QUESTIONS = [
    (Kind.SINGLE, "您多久来一次社区服务中心？", ["每周", "每月", "很少", "从不"], None),
    (Kind.MULTIPLE, "您最常用哪些服务？（最多选两项）",
     ["诉求", "救助申请", "文体活动", "会议纪要"], 2),
    (Kind.SATISFACTION, "您对社区服务的总体满意度如何？", [], None),
    (Kind.LIKELIHOOD, "您有多大可能向邻居推荐本社区的服务？", [], None),
    (Kind.SHORT_TEXT, "一句话说说最满意的地方", [], None),
    (Kind.LONG_TEXT, "您还有什么意见或建议？", [], None),
]


def demo_survey(session) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.title == DEMO_TITLE))
    if survey is not None:
        return survey
    now = utcnow()
    survey = Survey(title=DEMO_TITLE, intro="请花一分钟告诉我们您的感受。答卷匿名。",
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
        password = hash_password("linli-demo-2026")
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
        service.bulk_responses(session, survey, missing)
    count = service.response_count(session, survey.id)
    echo(f"Demo survey #{survey.id} has {count} responses.")
