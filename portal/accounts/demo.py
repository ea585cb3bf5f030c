"""Demo accounts: one staff member per role and two residents."""

from __future__ import annotations

from functools import cache

from portal.accounts import service
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role

DEMO_PASSWORD = "linli-demo-2026"  # noqa: S105 - demo data, printed on purpose

STAFF = [
    ("13900000001", "王网格", Role.GRID_WORKER),
    ("13900000002", "李民政", Role.CIVIL_AFFAIRS),
    ("13900000003", "赵综治", Role.GOVERNANCE),
    ("13900000004", "孙文体", Role.CULTURE),
    ("13900000005", "周副主任", Role.DEPUTY_DIRECTOR),
    ("13900000006", "陈主任", Role.DIRECTOR),
    ("13900000007", "吴管理员", Role.ADMIN),
]


@cache
def demo_password_hash() -> str:
    """One hash for the bulk demo residents, who share the password: argon2 is slow on
    purpose, and the demo used to hash it again for every batch."""
    return hash_password(DEMO_PASSWORD)


RESIDENTS = [
    ("13800000001", "张阿姨", "3号楼", "2单元", "502"),
    ("13800000002", "刘大爷", "5号楼", "1单元", "101"),
]


def load(session, echo) -> None:
    for phone, name, role in STAFF:
        if service.find_by_phone(session, phone) is None:
            service.create_staff(session, phone=phone, name=name, role=role,
                                 password=DEMO_PASSWORD, acting=None)
    for phone, name, building, unit, room in RESIDENTS:
        if service.find_by_phone(session, phone) is None:
            service.register_resident(session, phone=phone, name=name, password=DEMO_PASSWORD,
                                      building=building, unit=unit, room=room)
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for phone, name, role in STAFF:
        echo(f"  {phone}  {role.value:<16} {name}")
    for phone, name, *_address in RESIDENTS:
        echo(f"  {phone}  {'resident':<16} {name}")
