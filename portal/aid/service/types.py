"""Aid types and their checklists: the four every community offers, seeded by ``portal init``,
and the ones staff add or edit in the back office, and the holiday table. Every change is a
line of the audit log's "settings" area."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from portal.aid.models import AidHoliday, AidType
from portal.audit.service import record
from portal.clock import utcnow
from portal.errors import DomainError
from portal.registry import AuditAction

SETTINGS = "settings"
SETTINGS_ACTIONS = (
    AuditAction(SETTINGS, "aid_type_added", _l("Added an aid type")),
    AuditAction(SETTINGS, "aid_type_edited", _l("Edited an aid type")),
    AuditAction(SETTINGS, "holiday_saved", _l("Saved a day in the holiday table")),
    AuditAction(SETTINGS, "holiday_removed", _l("Removed a day from the holiday table")),
)

SEED_TYPES = [
    dict(code="dibao", order=1, needs_notice=True, asks_assets=True,
         name_zh="最低生活保障（低保）", name_en="Minimum living allowance (dibao)",
         description_zh="为家庭人均收入低于当地低保标准、且财产状况符合规定的家庭按月发放生活补助。",
         description_en="A monthly allowance for households whose income per person is below the "
                        "local minimum and whose assets meet the rules.",
         eligibility_zh="持本地户籍、共同生活的家庭成员人均月收入低于当地低保标准，"
                        "且家庭财产状况符合规定。",
         eligibility_en="Registered locally; the household's monthly income per person is below "
                        "the local minimum; savings, homes and vehicles within the limits.",
         materials=[
             {"key": "hukou", "zh": "户口簿", "en": "Household register (hukou)"},
             {"key": "id_card", "zh": "身份证", "en": "ID cards"},
             {"key": "income_proof", "zh": "收入证明", "en": "Proof of income"},
             {"key": "assets_statement", "zh": "财产状况说明", "en": "Statement of assets"},
             {"key": "disability_or_diagnosis", "zh": "残疾证或诊断证明（如有）",
              "en": "Disability card or diagnosis (if any)", "optional": True},
         ]),
    dict(code="temporary", order=2, needs_notice=False, asks_assets=True, has_kinds=True,
         name_zh="临时救助", name_en="Temporary assistance",
         description_zh="因火灾、交通事故、突发重病等陷入困境的家庭，可申请临时救助。"
                        "急难型先行救助，事后补齐手续；支出型按完整程序办理。",
         description_en="For households in sudden hardship: fire, accident, serious illness. "
                        "Emergency cases are helped first and the paperwork is completed "
                        "afterwards; sudden spending follows the full procedure.",
         eligibility_zh="因突发事件、意外伤害、重大疾病等导致基本生活暂时出现严重困难的家庭或个人。",
         eligibility_en="Households or people whose basic living is in serious temporary "
                        "difficulty because of an emergency, accident or serious illness.",
         materials=[
             {"key": "id_card", "zh": "身份证", "en": "ID cards"},
             {"key": "hardship_proof", "zh": "困难情况证明（如医疗费票据、事故证明）",
              "en": "Proof of the hardship (medical bills, accident report)"},
         ]),
    dict(code="elderly_care", order=3,
         name_zh="养老服务", name_en="Elderly care services",
         description_zh="为高龄、失能、独居老人提供上门照料、助餐、助浴等服务补贴。",
         description_en="Help at home, meals and bathing for older people who are very old, "
                        "frail or living alone.",
         eligibility_zh="本社区60周岁以上、生活自理有困难或独居的老人。",
         eligibility_en="Residents aged 60 or over who find daily life hard or live alone.",
         materials=[
             {"key": "id_card", "zh": "身份证", "en": "ID card"},
             {"key": "care_assessment", "zh": "能力评估或诊断证明", "en": "Care assessment or "
              "diagnosis"},
         ]),
    dict(code="disability", order=4,
         name_zh="助残服务", name_en="Disability support services",
         description_zh="为持证残疾人提供生活补贴、护理补贴和康复服务。",
         description_en="Living and care allowances and rehabilitation for people with a "
                        "disability card.",
         eligibility_zh="持有《中华人民共和国残疾人证》的本社区居民。",
         eligibility_en="Residents holding a disability card of the People's Republic of China.",
         materials=[
             {"key": "id_card", "zh": "身份证", "en": "ID card"},
             {"key": "disability_card", "zh": "残疾人证", "en": "Disability card"},
         ]),
]


# The checklists seeded before the 申请书 and 核对授权书 became a printable page of the
# answers and consents (aid.letter). An install still holding one of these exactly has not
# had it edited by staff, so ``portal init`` replaces it; an edited checklist is left alone.
_LETTER = {"key": "application_letter", "zh": "申请书", "en": "Application letter"}
_AUTHORISATION = {"key": "check_authorisation", "zh": "家庭经济状况核对授权书",
                  "en": "Authorisation to check household finances"}
EARLIER_SEED_MATERIALS = {
    "dibao": [_LETTER, *SEED_TYPES[0]["materials"][:4], _AUTHORISATION,
              SEED_TYPES[0]["materials"][4]],
    "temporary": [_LETTER, *SEED_TYPES[1]["materials"]],
}


def seed_types(session: Session) -> None:
    existing = {t.code: t for t in session.scalars(select(AidType))}
    for values in SEED_TYPES:
        found = existing.get(values["code"])
        if found is None:
            session.add(AidType(**values))
        elif found.materials == EARLIER_SEED_MATERIALS.get(found.code):
            found.materials = [dict(item) for item in values["materials"]]
            found.updated_at = utcnow()
    session.flush()


def list_types(session: Session) -> list[AidType]:
    return list(session.scalars(select(AidType).order_by(AidType.order, AidType.id)))


def get_type(session: Session, code: str) -> AidType | None:
    return session.scalar(select(AidType).where(AidType.code == code))


def create_type(session: Session, *, code: str, name_zh: str, name_en: str,
                description_zh: str, description_en: str, eligibility_zh: str,
                eligibility_en: str, needs_notice: bool, asks_assets: bool,
                materials: list[dict], actor) -> AidType:
    """A type staff add: offered under 申请救助 at once, after the existing ones."""
    if get_type(session, code) is not None:
        raise DomainError(_l("An aid type with this code exists already. Choose another "
                             "code."), "code")
    last = session.scalar(select(func.max(AidType.order))) or 0
    aid_type = AidType(code=code, name_zh=name_zh, name_en=name_en, needs_notice=needs_notice,
                       asks_assets=asks_assets, has_kinds=False, order=last + 1,
                       description_zh=description_zh, description_en=description_en,
                       eligibility_zh=eligibility_zh, eligibility_en=eligibility_en,
                       materials=materials)
    session.add(aid_type)
    session.flush()
    record(session, actor, SETTINGS, "aid_type_added", code, name_zh)
    return aid_type


def update_type(aid_type: AidType, *, name_zh: str, name_en: str, description_zh: str,
                description_en: str, eligibility_zh: str, eligibility_en: str,
                needs_notice: bool, asks_assets: bool, materials: list[dict], actor) -> None:
    aid_type.name_zh = name_zh
    aid_type.name_en = name_en
    aid_type.description_zh = description_zh
    aid_type.description_en = description_en
    aid_type.eligibility_zh = eligibility_zh
    aid_type.eligibility_en = eligibility_en
    aid_type.needs_notice = needs_notice
    aid_type.asks_assets = asks_assets
    aid_type.materials = keep_material_keys(aid_type.materials, materials)
    aid_type.updated_at = utcnow()
    record(object_session(aid_type), actor, SETTINGS, "aid_type_edited", aid_type.code, name_zh)


def save_holiday(session: Session, day: date, *, is_workday: bool, note: str,
                 actor) -> AidHoliday:
    """A public holiday, or a weekend day worked instead (调休), for working-day deadlines."""
    holiday = session.get(AidHoliday, day) or AidHoliday(day=day)
    holiday.is_workday = is_workday
    holiday.note = note
    session.add(holiday)
    record(session, actor, SETTINGS, "holiday_saved", day.isoformat(),
           f"{'workday' if is_workday else 'holiday'} {note}".strip())
    return holiday


def remove_holiday(session: Session, day: date, actor) -> bool:
    holiday = session.get(AidHoliday, day)
    if holiday is None:
        return False
    session.delete(holiday)
    record(session, actor, SETTINGS, "holiday_removed", day.isoformat(), holiday.note)
    return True


def parse_materials(text: str) -> list[dict]:
    """One item a line: '中文 | English', optionally ending '| optional'. Keys stay stable."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        item = {"zh": parts[0], "en": parts[1] if len(parts) > 1 and parts[1] else parts[0]}
        item["optional"] = len(parts) > 2 and parts[2].lower() == "optional"
        item["key"] = f"item{number}"
        items.append(item)
    return items


def materials_text(aid_type: AidType) -> str:
    return "\n".join(
        f"{item['zh']} | {item['en']}" + (" | optional" if item.get("optional") else "")
        for item in aid_type.materials)


def keep_material_keys(old: list[dict], new: list[dict]) -> list[dict]:
    """An item whose Chinese name didn't change keeps its key, so uploads stay linked.
    Returns new items; ``new`` itself is left as it was."""
    by_name = {item["zh"]: item["key"] for item in old}
    old_keys = {item["key"] for item in old}
    used, kept = set(), []
    for item in new:
        item = dict(item)
        key = by_name.get(item["zh"])
        if key and key not in used:
            item["key"] = key
        while item["key"] in used or (item["key"] not in by_name.values()
                                       and item["key"] in old_keys):
            item["key"] = f"{item['key']}x"
        used.add(item["key"])
        kept.append(item)
    return kept

