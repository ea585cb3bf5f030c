"""Who a survey is for: the survey audiences registered in ``portal.registry``.

An audience source has a key, a label, the parameters staff fill in, and a resolver that
turns those parameters into a SQL select of user ids. Sizes and eligibility are computed
in the database from that select, whatever its size. The activities area adds
"attended activity X" and the requests area "request resolved between dates" with

    registry(app).add(AudienceSource("activity_attended", _l("..."),
        resolver=lambda params: select(Signup.user_id).where(...),
        params=(AudienceParam("activity", _l("Activity"), "choice", choices=fn),)))

without changing this package.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select, union_all
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.registry import AudienceParam, AudienceSource, registry
from portal.web.address import address


def sources() -> list[AudienceSource]:
    return registry().sorted("audiences")


def get_source(key: str) -> AudienceSource | None:
    return registry().audiences.get(key)


def active_residents() -> Select:
    return select(User.id).where(User.role == Role.RESIDENT.value, User.active.is_(True))


def _resident_buildings(session: Session) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(User.building).distinct()
        .where(User.role == Role.RESIDENT.value, User.building.is_not(None), User.building != "")
        .order_by(User.building))
    return [(building, address(building)) for building in rows]


BUILT_IN = (
    AudienceSource("all_residents", _l("All residents"), lambda _params: active_residents(),
                   order=0),
    AudienceSource(
        "buildings", _l("Residents of chosen buildings"),
        lambda params: active_residents().where(User.building.in_(params.get("buildings", []))),
        params=(AudienceParam("buildings", _l("Buildings"), "choices",
                              choices=_resident_buildings),),
        order=10),
)


def member_ids(survey) -> Select | None:
    source = get_source(survey.audience_key)
    return None if source is None else source.resolver(survey.audience_params or {})


def audience_size(session: Session, survey) -> int:
    members = member_ids(survey)
    if members is None:
        return 0
    subquery = members.subquery()
    return session.scalar(select(func.count(distinct(subquery.c[0])))) or 0


def surveys_for_user(session: Session, surveys: list, user_id: int) -> set[int]:
    """Which of these surveys the user belongs to the audience of: one query for all."""
    checks = []
    for survey in surveys:
        members = member_ids(survey)
        if members is not None:
            ids = members.subquery()
            checks.append(select(func.min(survey.id)).where(
                select(ids.c[0]).where(ids.c[0] == user_id).exists()))
    if not checks:
        return set()
    return {row for row in session.scalars(union_all(*checks)) if row is not None}


def is_member(session: Session, survey, user_id: int) -> bool:
    return survey.id in surveys_for_user(session, [survey], user_id)


def parse_params(session: Session, source: AudienceSource, formdata) -> tuple[dict, list]:
    """Read a source's parameters from a form: (params, [(input id, message)])."""
    params, errors = {}, []
    for param in source.params:
        input_name = f"audience-{source.key}-{param.name}"
        if param.kind == "date":
            raw = (formdata.get(input_name) or "").strip()
            try:
                params[param.name] = date.fromisoformat(raw).isoformat()
            except ValueError:
                errors.append((input_name, _("Enter %(label)s as a date.", label=param.label)))
            continue
        allowed = {value for value, _label in (param.choices(session) if param.choices else [])}
        values = [value for value in formdata.getlist(input_name) if value]
        if not values:
            errors.append((input_name, _("Choose %(label)s.", label=param.label)))
        elif any(value not in allowed for value in values):
            errors.append((input_name, _("Choose %(label)s from the list.", label=param.label)))
        else:
            params[param.name] = values if param.kind == "choices" else values[0]
    return params, errors


def describe(survey) -> str:
    source = get_source(survey.audience_key)
    if source is None:
        return _("Unknown audience")
    details = []
    for param in source.params:
        value = (survey.audience_params or {}).get(param.name)
        if isinstance(value, list):
            value = ", ".join(value)
        if value:
            details.append(f"{param.label}: {value}")
    return str(source.label) + (f" ({'; '.join(details)})" if details else "")
