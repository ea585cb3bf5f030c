"""Demo requests: a handful for the demo residents, or N realistic ones for performance work.

The bulk path writes with Core ``insert()`` in batches, so 100 000 requests with their
timelines take well under a minute on SQLite.
"""

from __future__ import annotations

import random
import secrets
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from portal.accounts import service as accounts
from portal.accounts.demo import RESIDENTS, demo_password_hash
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import DailyCounter, day_code, day_start, local, local_day, utcnow
from portal.db import Base, UTCDateTime
from portal.search import service as search
from portal.search.models import SearchDocument
from portal.service_requests import service
from portal.service_requests.models import (
    RequestEvent,
    ServiceRequest,
)

BULK_KEY = "demo-bulk-"
TEXTS = {
    "noise": ["楼上每天晚上十一点以后还在装修，电钻声很大，老人睡不着。",
              "楼下店铺的音箱从早放到晚，声音太大了。", "晚上广场舞的噪音太大，影响老人休息。"],
    "clutter": ["三楼楼道堆了很多纸箱和旧家具，挡住了消防通道。",
                "楼梯口停了好几辆电动车，还在楼道里充电。"],
    "repair": ["单元门的门禁坏了，关不上，已经好几天了。", "二楼楼道的灯不亮了，晚上看不见台阶。",
               "电梯经常停在两层之间，按钮没反应。"],
    "sanitation": ["垃圾桶满了两天没人清理，味道很大。", "小区花坛旁边有人乱倒建筑垃圾。"],
    "dispute": ["邻居家漏水渗到我家天花板，沟通了几次没有结果。"],
    "property": ["物业费上涨了但是没有通知，想了解一下情况。", "物业维修报了一周还没有人来。"],
    "hazard": ["楼道里的灭火器过期了。", "小区东门的井盖松动，有人差点摔倒。"],
    "parking": ["有车长期占用消防通道停车。", "地下车库入口的栏杆坏了。"],
    "policy": ["想咨询一下老年人助餐补贴怎么申请。", "孩子入学需要开居住证明，要带什么材料？"],
    "other": ["小区健身器材有一个坏了，希望能修一下。"],
}


def load(session, echo, scale=None) -> None:
    service.seed_reference_data(session)
    _handful(session, echo)
    if scale:
        session.commit()
        started = utcnow()
        made = generate(session, scale)
        seconds = (utcnow() - started).total_seconds()
        echo(f"Requests: {made} generated ({scale} wanted) in {seconds:.1f} s.")


def _handful(session, echo) -> None:
    """Five requests for the demo residents, at different points of their life."""
    residents = [accounts.find_by_phone(session, phone) for phone, *_rest in RESIDENTS]
    staff = accounts.find_by_phone(session, "13900000001")
    if None in residents or staff is None:
        return
    if session.scalar(select(func.count()).where(ServiceRequest.idempotency_key.like("demo-0%"))):
        return
    by_key = {c.key: c for c in service.categories(session)}
    now = utcnow()
    plans = [
        (0, "repair", TEXTS["repair"][1], True, False, [], 3),
        (0, "clutter", TEXTS["clutter"][0], False, True, [service.ACCEPTED], 30),
        (1, "noise", TEXTS["noise"][0], False, False,
         [service.ACCEPTED, service.IN_PROGRESS, service.RESOLVED], 60 * 50),
        (1, "policy", TEXTS["policy"][0], False, False, [], 60 * 5),
        (0, "hazard", TEXTS["hazard"][1], True, True,
         [service.ACCEPTED, service.IN_PROGRESS], 60 * 20),
    ]
    for number, (who, key, body, urgent, many, steps, minutes_ago) in enumerate(plans):
        owner = residents[who]
        at = _while_awake(now - timedelta(minutes=minutes_ago))
        item = service.submit(session, owner, category=by_key[key], description=body,
                              building=owner.building, location=f"{owner.unit}",
                              urgent=urgent, many_households=many,
                              idempotency_key=f"demo-{number:04d}", now=at)
        for step, target in enumerate(steps):
            if target == service.ACCEPTED:
                service.assign(session, item, staff, staff, now=at + timedelta(minutes=5))
            service.transition(session, item, target, staff,
                               now=at + timedelta(minutes=10 * (step + 1)))
    echo("Requests: 5 demo requests for the demo residents.")


# People report things while they are up: demo requests come in between 07:00 and 22:00 here.
AWAKE_FROM, AWAKE_UNTIL = 7, 22


def _while_awake(moment: datetime) -> datetime:
    """``moment``, or, when it falls in the night here, the same minute in the evening before
    (03:11 becomes 21:11 the day before): always earlier, so a timeline keeps its order."""
    hour = local(moment).hour
    if AWAKE_FROM <= hour < AWAKE_UNTIL:
        return moment
    return moment - timedelta(hours=(hour - (AWAKE_UNTIL - 1)) % 24)


def _awake_time(rng: random.Random, now: datetime) -> datetime:
    """A moment in the last year, on a day's waking hours, at least 10 minutes ago."""
    day = local_day(now) - timedelta(days=rng.randint(0, 364))
    moment = day_start(day) + timedelta(minutes=rng.randint(AWAKE_FROM * 60,
                                                            AWAKE_UNTIL * 60 - 1))
    return moment if moment <= now - timedelta(minutes=10) else moment - timedelta(days=1)


def generate(session, count: int, seed: int = 7) -> int:
    """Top the bulk demo data up to ``count`` requests; returns how many were added."""
    have = session.scalar(select(func.count()).where(
        ServiceRequest.idempotency_key.like(BULK_KEY + "%"))) or 0
    wanted = count - have
    if wanted <= 0:
        return 0
    rng = random.Random(seed + have)
    now = utcnow()
    counters = dict(session.execute(select(DailyCounter.day, DailyCounter.last)
                                    .where(DailyCounter.series == service.REF_PREFIX)).all())
    next_id = (session.scalar(select(func.max(ServiceRequest.id))) or 0) + 1
    bulk = wanted >= BUILD_INDEXES_AFTER
    dropped = _drop_indexes(session) if bulk else []
    with search.bulk_documents(session, service.SEARCH_KIND) if bulk else nullcontext():
        _generate_rows(session, rng, wanted, have, next_id, now, counters)
    for index in dropped:  # one sorted build each: far quicker than a million inserts
        index.create(session.connection())
    if wanted:  # the planner needs to know how the data spreads over the indexes
        session.execute(text("ANALYZE" if session.get_bind().dialect.name == "sqlite" else
                             "ANALYZE service_request, request_event, search_document"))
    _advance_sequence(session)
    _save_counters(session, counters)
    return wanted


def _generate_rows(session, rng, wanted, have, next_id, now, counters) -> None:
    categories = service.categories(session, active_only=False)
    residents = _bulk_residents(session, 300)
    staff = [row for row in session.execute(select(User.id, User.role).where(
        User.role.in_(service.TRIAGE_ROLES)))]
    sla = service.Sla.from_config()
    holidays = service.office_holidays(session)
    batch_requests, batch_events = [], []
    for index in range(wanted):
        category = rng.choice(categories)
        owner_id, building = rng.choice(residents)
        created = _awake_time(rng, now)
        urgent, many = rng.random() < 0.15, rng.random() < 0.2
        priority = service.priority_for(urgent, many)
        respond_by, resolve_by = sla.deadlines(created, priority, holidays)
        day = day_code(created)
        counters[day] = counters.get(day, 0) + 1
        team = [row for row in staff if row.role == category.role] or staff
        assignee = rng.choice(team).id if team and rng.random() < 0.8 else None
        row = {"id": next_id + index, "ref": f"{service.REF_PREFIX}{day}-{counters[day]:04d}",
               "idempotency_key": f"{BULK_KEY}{have + index}-{secrets.token_hex(4)}",
               "owner_id": owner_id, "category_id": category.id,
               "description": rng.choice(TEXTS.get(category.key, TEXTS["other"])),
               "building": building, "location": f"{rng.randint(1, 4)}单元", "urgent": urgent,
               "many_households": many, "priority": priority, "role": category.role,
               "assignee_id": assignee, "created_at": created, "respond_by": respond_by,
               "resolve_by": resolve_by, "flagged": False, "merged_into_id": None,
               "outcome_note": None, "transferred_to": None, "rating": None,
               "rating_comment": None, "first_response_at": None, "accepted_at": None,
               "resolved_at": None, "closed_at": None, "rated_at": None, "channel": "web",
               "external_ref": None}
        events = [(created, None, service.SUBMITTED, owner_id)]
        # How far along it got depends on its age: old ones are mostly done.
        age_hours = (now - created).total_seconds() / 3600
        if age_hours > 14 * 24:  # old ones are nearly all done; a few got stuck
            stage = 3.5 if rng.random() < 0.97 else rng.random() * 2
        else:
            stage = rng.random() * min(1.0, age_hours / 72) * 4
        at = created
        for threshold, status in ((0.4, service.ACCEPTED), (1.2, service.IN_PROGRESS),
                                  (2.0, service.RESOLVED), (3.0, service.CLOSED)):
            if stage < threshold:
                break
            at = min(now, at + timedelta(minutes=rng.randint(20, 60 * 30)))
            events.append((at, events[-1][2], status, assignee))
            key = {"accepted": "accepted_at", "resolved": "resolved_at",
                   "closed": "closed_at"}.get(status)
            if key:
                row[key] = at
            if row["first_response_at"] is None:
                row["first_response_at"] = at
        status = events[-1][2]
        if status == service.CLOSED and rng.random() < 0.7:
            row["rating"] = rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 12, 8, 5])[0]
            row["rated_at"] = at
        row["status"] = status
        row["last_activity_at"] = at
        batch_requests.append(row)
        batch_events.extend({"request_id": next_id + index, "actor_id": actor, "kind": "status",
                             "public": True, "from_status": from_status,
                             "to_status": to_status, "body": None, "created_at": event_at}
                            for event_at, from_status, to_status, actor in events)
        if row["rating"] is not None:  # the figures count rating events, as rate() writes
            batch_events.append({"request_id": next_id + index, "actor_id": owner_id,
                                 "kind": "rating", "public": True, "from_status": None,
                                 "to_status": None, "body": str(row["rating"]),
                                 "created_at": at})
        if len(batch_requests) >= 5000:
            _flush(session, batch_requests, batch_events)
    _flush(session, batch_requests, batch_events)


# From this many new requests on, the tables' secondary indexes are dropped for the load and
# built again after it.
BUILD_INDEXES_AFTER = 20_000


def _drop_indexes(session) -> list:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB for the load
    else:  # the sorts of the index builds afterwards, in memory
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    dropped = [index for table in (ServiceRequest.__table__, RequestEvent.__table__)
               for index in table.indexes if not index.unique]
    for index in dropped:
        index.drop(connection)
    return dropped


def _flush(session, requests, events) -> None:
    if requests:
        _insert_many(session, ServiceRequest.__tablename__, requests)
        _insert_many(session, RequestEvent.__tablename__, events)
        _insert_many(session, SearchDocument.__tablename__, [
            {"kind": service.SEARCH_KIND, "object_id": row["id"],
             "tokens": _tokens_of(row["description"], row["ref"])} for row in requests])
        requests.clear()
        events.clear()


_DESCRIPTION_TOKENS: dict[str, str] = {}


def _tokens_of(description: str, ref: str) -> str:
    # The demo repeats a few dozen descriptions: cut each once.
    if description not in _DESCRIPTION_TOKENS:
        _DESCRIPTION_TOKENS[description] = search.tokens(description)
    return f"{_DESCRIPTION_TOKENS[description]} {search.tokens(ref)}"


def _insert_many(session, table: str, rows: list[dict]) -> None:
    """One driver-level executemany on SQLite, one COPY on PostgreSQL: even Core spends most
    of its time on per-value type processing at this size, so values are prepared here (UTC,
    naive on SQLite)."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    columns = list(rows[0])
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608

    if not sqlite:
        # COPY: a tenth of the time of a batched INSERT, which waited on the server.
        with connection.connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])
        return

    # Every datetime here is aware (made from utcnow()); isoformat is several times quicker
    # than strftime, and converting only the datetime columns' values halves the preparing,
    # which mattered at a million rows.
    types = Base.metadata.tables[table].c
    stamps = [i for i, name in enumerate(columns) if isinstance(types[name].type, UTCDateTime)]
    prepared = []
    for row in rows:
        values = [row[name] for name in columns]
        for i in stamps:
            value = values[i]
            if value is not None:
                values[i] = value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        prepared.append(tuple(values))
    connection.exec_driver_sql(statement, prepared)


def _advance_sequence(session) -> None:
    """Ids were given explicitly; PostgreSQL's sequence must move past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('service_request', 'id'), "
                             "(SELECT max(id) FROM service_request))"))


def _save_counters(session, counters) -> None:
    series = service.REF_PREFIX
    existing = set(session.scalars(select(DailyCounter.day)
                                   .where(DailyCounter.series == series)))
    new = [{"series": series, "day": day, "last": last}
           for day, last in counters.items() if day not in existing]
    if new:
        session.execute(insert(DailyCounter), new)
    for day in existing & set(counters):
        session.execute(update(DailyCounter)
                        .where(DailyCounter.series == series, DailyCounter.day == day)
                        .values(last=counters[day]))


def _bulk_residents(session, count: int) -> list[tuple[int, str]]:
    """Extra demo residents (1860000xxxx) so the data spreads like a real community."""
    rows = list(session.execute(select(User.id, User.building).where(
        User.role == Role.RESIDENT.value, User.phone.like("1860000%"))))
    if len(rows) < count:
        password = demo_password_hash()
        existing = {phone for phone in session.scalars(
            select(User.phone).where(User.phone.like("1860000%")))}
        new = [{"phone": f"1860000{n:04d}", "name": f"居民{n:04d}", "password_hash": password,
                "role": Role.RESIDENT.value, "active": True, "building": f"{n % 24 + 1}号楼",
                "unit": f"{n % 4 + 1}单元", "room": f"{n % 6 + 1}0{n % 4 + 1}",
                "session_token": secrets.token_urlsafe(16), "created_at": utcnow()}
               for n in range(count) if f"1860000{n:04d}" not in existing]
        if new:
            session.execute(insert(User), new)
        rows = list(session.execute(select(User.id, User.building).where(
            User.role == Role.RESIDENT.value, User.phone.like("1860000%"))))
    return [(row.id, row.building) for row in rows]
