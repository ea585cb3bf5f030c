"""The proof: 200+ people press "sign up" at once on a real multi-worker gunicorn, and
nobody gets a seat that isn't there; then a wave of cancellations moves the right people up.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL via
PORTAL_TEST_DATABASE_URL).
"""

from __future__ import annotations

from tests.activities import wave

PEOPLE = 220
SEATS = 50


def test_two_hundred_concurrent_signups_never_overbook(app, db, password_hash, test_config,
                                                       tmp_path):
    user_ids = wave.make_residents(db, PEOPLE, password_hash)
    activity_id = wave.make_activity(db, capacity=SEATS)
    cookies = wave.session_cookies(app, db, user_ids)
    companions = {user_id: wave.COMPANION_PATTERN[n % len(wave.COMPANION_PATTERN)]
                  for n, user_id in enumerate(user_ids)}

    with wave.gunicorn(test_config["DATABASE_URL"], test_config["SECRET_KEY"],
                       str(tmp_path)) as port:
        result = wave.wave(port, activity_id, cookies, "signup", companions)
        assert set(result.statuses.values()) == {303}, result.statuses

        rows = wave.signups(db, activity_id)
        assert len(rows) == PEOPLE  # one each: nobody lost, nobody twice
        assert [row.seq for row in rows] == list(range(1, PEOPLE + 1))
        assert all(row.companions == companions[row.user_id] for row in rows)
        confirmed = [row for row in rows if row.status == "confirmed"]
        assert sum(row.seats for row in confirmed) == SEATS
        # In arrival order (seq, handed out under the lock), each party got a seat exactly when
        # it still fitted; everyone else waits, in that same order.
        expected = wave.greedy([(row.user_id, row.seats) for row in rows], SEATS)
        assert {row.user_id for row in confirmed} == expected
        assert all(row.status == "waitlisted" for row in rows if row.user_id not in expected)

        # A wave of cancellations: confirmed parties of every size leave at once.
        first_of_each_size = {row.seats: row.user_id for row in reversed(confirmed)}
        leaving = sorted(set(first_of_each_size.values())
                         | {row.user_id for row in confirmed[::4]})
        assert len({companions[user_id] for user_id in leaving}) >= 3
        before = {row.user_id: (row.status, row.seats) for row in rows}
        result = wave.wave(port, activity_id, {u: cookies[u] for u in leaving}, "cancel")
        assert set(result.statuses.values()) == {303}, result.statuses

    rows = wave.signups(db, activity_id)
    cancelled = sorted((row for row in rows if row.status == "cancelled"),
                       key=lambda row: row.cancelled_at)
    assert {row.user_id for row in cancelled} == set(leaving)
    # Replay the cancellations in the order the server took them and promote by the rule.
    state = dict(before)
    waiting_order = [row.user_id for row in rows if before[row.user_id][0] == "waitlisted"]
    for row in cancelled:
        state[row.user_id] = ("cancelled", row.seats)
        free = SEATS - sum(seats for status, seats in state.values() if status == "confirmed")
        for user_id in waiting_order:
            status, seats = state[user_id]
            if status == "waitlisted" and seats <= free:
                state[user_id] = ("confirmed", seats)
                free -= seats
    assert {row.user_id: row.status for row in rows} == {
        user_id: status for user_id, (status, _seats) in state.items()}
    assert sum(row.seats for row in rows if row.status == "confirmed") == SEATS
    promoted = [row for row in rows if before[row.user_id][0] == "waitlisted"
                and row.status == "confirmed"]
    assert promoted
    # Each promoted person was told.
    from sqlalchemy import select

    from portal.notifications.models import Notification

    told = set(db.scalars(select(Notification.user_id)))
    assert {row.user_id for row in promoted} <= told
    # Every place was handed out under the lock: its own number in the queue, its own code,
    # and a confirmation time exactly when it holds a seat.
    assert len({row.seq for row in rows}) == len({row.checkin_code for row in rows}) == PEOPLE
    assert all(row.confirmed_at is not None for row in rows if row.status == "confirmed")
    assert all(row.confirmed_at is None for row in rows if row.status == "waitlisted")
    assert all(row.cancelled_at is not None for row in rows if row.status == "cancelled")
