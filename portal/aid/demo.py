"""Demo aid types and applications; ``portal demo --aid N`` adds N more, quickly."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import func, insert, select

from portal import crypto
from portal.accounts import service as accounts
from portal.aid import idnumber, service
from portal.aid.models import AidApplication
from portal.clock import SHANGHAI, utcnow
from portal.clock import today as clock_today

DEMO_STAFF_PHONE = "13900000002"  # 李民政, civil affairs


def make_id_number(rng: random.Random, region: str = "110105") -> str:
    born = datetime(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + idnumber.check_digit(first17)


def _draft(session, user, code, kind, key, rng, members=1):
    aid_type = service.get_type(session, code)
    application = service.start_application(session, user, aid_type, kind, key)
    if application.stage != "draft" or application.sections_done:
        return None
    service.save_applicant(application, name=user.name, id_number=make_id_number(rng),
                           phone=user.phone)
    for number in range(members):
        service.add_member(session, application, name=f"{user.name[0]}小{number + 1}",
                           relation="child", id_number=make_id_number(rng), status="student")
    service.mark_done(application, "household")
    service.save_income(application, applicant_fen=80000, member_fen={}, irregular=False,
                        housing="rent" if aid_type.asks_assets else None,
                        vehicles=0 if aid_type.asks_assets else None,
                        savings_fen=200000 if aid_type.asks_assets else None,
                        circumstances="")
    service.save_consent(application, utcnow())
    return application


def load(session, echo, scale=None) -> None:
    # Notice texts are written in Chinese, the office's language, outside any request.
    with force_locale("zh_Hans_CN"):
        _load(session, echo, scale)


def _load(session, echo, scale) -> None:
    service.seed_types(session)
    staff = accounts.find_by_phone(session, DEMO_STAFF_PHONE)
    zhang = accounts.find_by_phone(session, "13800000001")
    liu = accounts.find_by_phone(session, "13800000002")
    rng = random.Random(2026)
    today = clock_today()

    def sent(days_ago: int) -> datetime:  # at 10:00 on that day, as the bulk ones
        return datetime.combine(today - timedelta(days=days_ago), time(10, 0), SHANGHAI)
    if staff and zhang and liu:
        # 张阿姨: a 低保 application in public notice; 刘大爷: an accepted elderly-care one,
        # a draft, and an emergency temporary assistance already paid.
        dibao = _draft(session, zhang, "dibao", None, "demo-zhang-dibao", rng, members=2)
        if dibao is not None:
            service.submit(session, dibao, today - timedelta(days=12), sent(12))
            service.accept(session, dibao, staff, today - timedelta(days=10))
            service.record_investigation(
                session, dibao, staff, today - timedelta(days=6), investigators=["李民政",
                                                                                   "王网格"],
                visited_on=today - timedelta(days=6), findings="家中确有困难，与申报一致。")
            service.start_notice(session, dibao, staff, today - timedelta(days=2), 95000)
        care = _draft(session, liu, "elderly_care", None, "demo-liu-care", rng, members=0)
        if care is not None:
            service.submit(session, care, today - timedelta(days=3), sent(3))
            service.accept(session, care, staff, today - timedelta(days=1))
        _draft(session, liu, "disability", None, "demo-liu-draft", rng, members=0)
        urgent = _draft(session, liu, "temporary", "emergency", "demo-liu-urgent", rng, 0)
        if urgent is not None:
            service.submit(session, urgent, today - timedelta(days=1), sent(1))
            service.accept(session, urgent, staff, today - timedelta(days=1))
            service.record_payment(session, urgent, staff, today - timedelta(days=1),
                                   month=today.strftime("%Y-%m"), amount_fen=300000)
        session.flush()
    if scale:
        _bulk(session, scale, [u for u in (zhang, liu) if u], rng, today)
    echo("Aid: 4 aid types and demo applications loaded.")


def _bulk(session, scale: int, residents, rng, today) -> None:
    """N submitted applications in various stages, inserted in batches (no per-row ORM)."""
    if not residents:
        return
    have = session.scalar(select(func.count()).select_from(AidApplication)
                          .where(AidApplication.start_key.like("bulk-%"))) or 0
    types = service.list_types(session)
    stages = ["submitted", "accepted", "investigation", "returned", "approved", "refused"]
    rows = []
    for number in range(have, scale):
        id_number = make_id_number(rng)
        day = today - timedelta(days=rng.randrange(0, 60))
        stage = rng.choice(stages)
        rows.append(dict(
            key=f"b{number:011d}", start_key=f"bulk-{number}",
            ref=f"A{day:%Y%m%d}-D{number:05d}", applicant_id=rng.choice(residents).id,
            type_id=rng.choice(types).id, stage=stage, sections_done=list(service.SECTIONS),
            name="测试" + "甲乙丙丁"[number % 4], id_cipher=crypto.encrypt(id_number),
            id_hash=crypto.lookup_hash(id_number), id_masked=idnumber.mask(id_number),
            phone="13800000000", income_fen=rng.randrange(0, 300000), household_size=1,
            submitted_at=datetime.combine(day, time(10, 0), SHANGHAI),  # 10:00 local
            stage_due_on=day + timedelta(days=rng.randrange(0, 20))
            if stage in service.OPEN_STAGES else None))
        if len(rows) == 500:
            session.execute(insert(AidApplication), rows)
            rows = []
    if rows:
        session.execute(insert(AidApplication), rows)
