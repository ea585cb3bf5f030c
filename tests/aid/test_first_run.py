"""A production first run, as the README tells it: `portal init` on an empty database, then
`portal create-user … --role director`. Residents are offered the four aid types at once, and
a civil-affairs officer can add a fifth; nobody but the people created by hand exists."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.aid.models import AidType
from portal.service_requests.models import ReplyTemplate, RequestCategory
from tests.conftest import TEST_PASSWORD, csrf_token
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture


def _create_user(runner, phone, name, role):
    result = runner.invoke(args=["portal", "create-user", phone, "--name", name, "--role", role,
                                 "--password-stdin"], input=TEST_PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def _signed_in(app, phone):
    client = app.test_client()
    response = client.post("/auth/login", data={
        "csrf_token": csrf_token(client), "phone": phone, "password": TEST_PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return client


def test_a_fresh_init_offers_the_four_aid_types_and_staff_can_add_one(
        empty_database_url, make_app):  # noqa: F811 - the database outlives the app
    app = make_app(DATABASE_URL=empty_database_url)
    runner = app.test_cli_runner()
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["portal", "init"])
        assert result.exit_code == 0, result.output
    session = app.extensions["db_sessionmaker"]()
    try:
        assert session.scalar(select(func.count()).select_from(User)) == 0  # no demo people
        assert sorted(session.scalars(select(AidType.code))) == [
            "dibao", "disability", "elderly_care", "temporary"]
        assert all(t.materials for t in session.scalars(select(AidType)))
        assert session.scalar(select(func.count()).select_from(RequestCategory)) > 0
        assert session.scalar(select(func.count()).select_from(ReplyTemplate)) > 0
    finally:
        session.close()

    _create_user(runner, "13900000001", "王主任", "director")
    _create_user(runner, "13900000002", "李民政", "civil_affairs")
    _create_user(runner, "13800000009", "张阿姨", "resident")

    resident = _signed_in(app, "13800000009")
    home = resident.get("/").get_data(as_text=True)
    assert "申请救助" in home
    offered = resident.get("/aid/new").get_data(as_text=True)
    for name in ("最低生活保障（低保）", "临时救助", "养老服务", "助残服务"):
        assert name in offered

    officer = _signed_in(app, "13900000002")
    response = officer.post("/staff/aid/types/new", data={
        "csrf_token": csrf_token(officer, "/staff/aid/types/new"), "code": "medical",
        "name_zh": "医疗救助", "name_en": "Medical assistance",
        "description_zh": "帮助支付大病医疗费用。", "description_en": "Help with medical bills.",
        "eligibility_zh": "因病致贫家庭。", "eligibility_en": "Households made poor by illness.",
        "materials": "申请书 | Application letter\n医疗费票据 | Medical bills"})
    assert response.status_code == 303
    offered = resident.get("/aid/new").get_data(as_text=True)
    assert "医疗救助" in offered
    assert len(re.findall(r'name="aid_type"', offered)) == 5
