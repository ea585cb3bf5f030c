"""The proof: 500 residents answer the check-in at once on a real multi-worker gunicorn, and
each is counted exactly once: nobody lost, nobody twice. Half of them registered after the
check-in opened (their entry is made by the answer itself, racing nobody but themselves);
then a hundred change their mind, each sending the new answer twice at the same moment.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL via
PORTAL_TEST_DATABASE_URL), with the activity sign-up proof's helpers (tests/server.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from portal.checkins.models import CheckinEntry
from tests import server

PEOPLE = 500


def test_five_hundred_answers_at_once_are_each_counted_once(app, db, password_hash, test_config,
                                                             tmp_path, open_checkin):
    early = server.make_residents(db, PEOPLE // 2, password_hash)
    checkin = open_checkin()
    late = server.make_residents(db, PEOPLE - len(early), password_hash, prefix="1391")
    residents = early + late
    cookies = server.session_cookies(app, db, residents)
    path = f"/checkin/{checkin.id}"

    def first_answer(user_id):
        if user_id % 10 == 0:
            return "answer=help&kind=medical&people=2"
        return "answer=safe"

    def changed_mind(user_id):
        return "answer=help&kind=supplies&people=3&note=%E6%B0%B4"

    with server.gunicorn(test_config["DATABASE_URL"], test_config["SECRET_KEY"],
                         str(tmp_path)) as port:
        result = server.post_all(port, cookies, path, first_answer)
        assert set(result.statuses.values()) == {303}, result.statuses
        rows = _entries(db, checkin.id)
        assert len(rows) == PEOPLE  # one each: nobody lost, nobody twice
        assert sorted(row.user_id for row in rows) == sorted(residents)
        assert all(row.status == ("help" if row.user_id % 10 == 0 else "safe") for row in rows)

        minded = {user_id: cookies[user_id] for user_id in residents[::5]}
        with ThreadPoolExecutor(max_workers=2) as pool:  # the same people, twice at once
            twice = list(pool.map(lambda _: server.post_all(port, minded, path, changed_mind,
                                                            threads=16), range(2)))
        assert all(set(r.statuses.values()) == {303} for r in twice)

    rows = _entries(db, checkin.id)
    assert len(rows) == PEOPLE
    assert len({row.user_id for row in rows}) == PEOPLE
    by_user = {row.user_id: row for row in rows}
    for user_id in residents:
        row = by_user[user_id]
        if user_id in minded:
            assert (row.status, row.kind, row.people, row.rank) == ("help", "supplies", 3, 0)
        else:
            assert row.status == ("help" if user_id % 10 == 0 else "safe")
    print(f"\n{PEOPLE} answers in {result.seconds:.1f}s ({result.retries} retried after 503)")


def _entries(db, checkin_id):
    db.expire_all()
    return db.execute(select(CheckinEntry.user_id, CheckinEntry.status, CheckinEntry.kind,
                             CheckinEntry.people, CheckinEntry.rank)
                      .where(CheckinEntry.checkin_id == checkin_id)).all()
