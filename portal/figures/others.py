"""The figures of the other areas for a period: aid, activities, surveys and the needs map.
Each is one or two aggregate statements bounded by the period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.activities.models import Activity, Signup
from portal.aid.models import AidApplication, AidEvent, AidType
from portal.aid.service import STAGE_LABELS, localized, reached_staff
from portal.care.models import CareCategory, CareNeed, CarePerson
from portal.clock import local_day
from portal.figures.periods import Period
from portal.service_requests.service.rates import minutes_between
from portal.surveys.models import Survey

CARE_TYPES = ("elderly_care", "disability")
# The care register's people by the groups the needs map counts, and the needs it shows.
REGISTER_GROUPS = {
    "register_elderly": {CareCategory.ALONE.value, CareCategory.EMPTY_NEST.value,
                         CareCategory.VERY_OLD.value},
    "register_disabled": {CareCategory.DISABLED.value},
}
REGISTER_NEEDS = (CareNeed.MEALS.value, CareNeed.HOME_NURSING.value,
                  CareNeed.REHABILITATION.value)


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def aid(session: Session, period: Period, now: datetime) -> dict:
    """Applications sent in the period by type and stage; stages finished within their
    working-day limit; returns for materials and how many came back complete first time."""
    a = AidApplication
    in_period = and_(a.submitted_at >= period.start, a.submitted_at < period.end,
                     reached_staff(now))
    types = {t.id: t for t in session.scalars(select(AidType))}
    by_type: dict = {}
    for type_id, stage, count in session.execute(
            select(a.type_id, a.stage, func.count()).where(in_period)
            .group_by(a.type_id, a.stage)):
        entry = by_type.setdefault(type_id, {"label": localized(types[type_id], "name")
                                             if type_id in types else "", "stages": {},
                                             "total": 0})
        entry["stages"][stage] = count
        entry["total"] += count
    returns = (select(AidEvent.application_id, func.count().label("times"))
               .where(AidEvent.stage == "returned").group_by(AidEvent.application_id)
               .subquery())
    returned, complete_first_time = session.execute(
        select(func.count(), _sum(and_(returns.c.times == 1, a.accepted_on.is_not(None))))
        .join(returns, returns.c.application_id == a.id).where(in_period)).one()
    steps = (select(AidEvent.due_on, AidEvent.day,
                    func.lead(AidEvent.day).over(partition_by=AidEvent.application_id,
                                                 order_by=AidEvent.id).label("next_day"))
             .join(a, a.id == AidEvent.application_id).where(in_period).subquery())
    today = local_day(now)
    on_time, due = session.execute(select(
        _sum(and_(steps.c.next_day.is_not(None), steps.c.next_day <= steps.c.due_on)),
        _sum(steps.c.next_day.is_not(None) | (steps.c.due_on < today)),
    ).where(steps.c.due_on.is_not(None))).one()
    stages = sorted({stage for entry in by_type.values() for stage in entry["stages"]},
                    key=list(STAGE_LABELS).index)
    return {"types": list(by_type.values()),
            "stages": [{"key": key, "label": STAGE_LABELS[key]} for key in stages],
            "stages_on_time": {"numerator": int(on_time), "denominator": int(due),
                               "value": on_time / due if due else None},
            "returned": int(returned or 0), "complete_first_time": int(complete_first_time or 0)}


def activities(session: Session, period: Period, now: datetime) -> dict:
    """Activities that started in the period: sign-ups, attendance, promotions, ratings."""
    s = Signup
    promoted = and_(s.confirmed_at.is_not(None),
                    minutes_between(session, s.created_at, s.confirmed_at) > 1)
    row = session.execute(
        select(func.count(func.distinct(Activity.id)), _sum(s.status == "confirmed"),
               _sum(s.attended_at.is_not(None)), _sum(promoted),
               func.avg(s.rating), func.count(s.rating))
        .join(s, s.activity_id == Activity.id)
        .where(Activity.starts_at >= period.start, Activity.starts_at < period.end,
               Activity.starts_at < now)).one()
    count, confirmed, attended, promotions, average, ratings = row
    return {"activities": int(count or 0), "signups": int(confirmed or 0),
            "attendance": {"numerator": int(attended or 0), "denominator": int(confirmed or 0),
                           "value": attended / confirmed if confirmed else None},
            "promotions": int(promotions or 0),
            "average_rating": round(float(average), 1) if average is not None else None,
            "ratings": int(ratings or 0)}


def surveys(session: Session, limit: int = 5) -> list[dict]:
    """The latest published surveys, for links to their result pages."""
    return [{"id": survey.id, "title": survey.title, "published_at": survey.published_at}
            for survey in session.scalars(
                select(Survey).where(Survey.published_at.is_not(None))
                .order_by(Survey.published_at.desc(), Survey.id.desc()).limit(limit))]


def needs_map(session: Session) -> list[dict]:
    """Elderly-care and disability-support demand by building: aid applications that are sent
    and not withdrawn, and the people in the care register with the needs on their file.
    Counts only, never a person: the register is grouped by its stored lists in SQL."""
    a = AidApplication
    rows = session.execute(
        select(User.building, AidType.code, func.count()).select_from(a)
        .join(User, User.id == a.applicant_id).join(AidType, AidType.id == a.type_id)
        .where(AidType.code.in_(CARE_TYPES), reached_staff(),
               a.stage.not_in(("draft", "withdrawn")))
        .group_by(User.building, AidType.code))
    buildings: dict = {}

    def entry_for(building):
        return buildings.setdefault(building or "", {
            "building": building or "", **dict.fromkeys(CARE_TYPES, 0),
            **dict.fromkeys(REGISTER_GROUPS, 0), **dict.fromkeys(REGISTER_NEEDS, 0)})

    for building, code, count in rows:
        entry_for(building)[code] = count
    register = session.execute(
        select(CarePerson.building, CarePerson.categories, CarePerson.needs, func.count())
        .group_by(CarePerson.building, CarePerson.categories, CarePerson.needs))
    for building, categories, needs, count in register:
        entry = entry_for(building)
        kinds = set(categories.split(","))
        for group, members in REGISTER_GROUPS.items():
            if kinds & members:
                entry[group] += count
        for need in set(needs.split(",")) & set(REGISTER_NEEDS):
            entry[need] += count
    return sorted(buildings.values(), key=lambda entry: entry["building"])
