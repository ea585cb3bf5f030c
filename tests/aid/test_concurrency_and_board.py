"""References stay unique when many people send at once; the board section stays public."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.aid.models import AidApplication
from portal.clock import today as local_today
from portal.clock import utcnow
from portal.registry import registry
from tests.conftest import csrf_token, sign_in


def test_simultaneous_submissions_get_distinct_references(app, db, build_application,
                                                          make_user):
    people = [make_user(Role.RESIDENT) for _ in range(6)]
    drafts = [build_application(person) for person in people]
    clients = []
    for person, draft in zip(people, drafts, strict=True):
        client = app.test_client()
        sign_in(client, person)
        clients.append((client, draft, csrf_token(client, f"/aid/{draft.key}/check")))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client, draft, token):
        barrier.wait()
        response = client.post(f"/aid/{draft.key}/submit", data={"csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=entry) for entry in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * len(clients)
    refs = db.scalars(select(AidApplication.ref)).all()
    day = local_today().strftime("%Y%m%d")
    assert sorted(refs) == [f"A{day}-{n:04d}" for n in range(1, len(clients) + 1)]


def test_double_submit_keeps_one_reference(app, db, build_application, resident):
    draft = build_application(resident)
    client = app.test_client()
    sign_in(client, resident)
    token = csrf_token(client, f"/aid/{draft.key}/check")
    first = client.post(f"/aid/{draft.key}/submit", data={"csrf_token": token})
    second = client.post(f"/aid/{draft.key}/submit", data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert len(db.scalars(select(AidApplication.ref)).all()) == 1
    assert db.scalar(select(AidApplication.ref)).endswith("-0001")


def test_board_section_shows_current_notices_masked(app, db, build_application, make_user):
    staff = make_user(Role.CIVIL_AFFAIRS)
    section = next(s for s in registry(app).board_sections if s.key == "aid_notices")
    today = local_today()

    def fingerprint():
        with app.app_context():
            return tuple(db.execute(select(*section.fingerprint(utcnow(), None))).one())

    empty = fingerprint()
    application = build_application(make_user(Role.RESIDENT), stage="notice", staff=staff,
                                     today=today)
    started = fingerprint()
    assert started != empty
    with app.test_request_context():
        context = section.load(utcnow(), None)
        html = app.jinja_env.get_template(section.template).render(**context)
    assert [row["name"] for row in context["notices"]] == ["张**"]
    assert "张三丰" not in html and application.id_masked not in html
    assert re.search(r"900", html)
    # the notice ends: the fingerprint changes back
    application.notice_ends_on = today - timedelta(days=1)
    application.notice_starts_on = today - timedelta(days=7)
    db.commit()
    assert fingerprint() == empty
