"""Waves of concurrent sign-ups against a real gunicorn (tests/server.py).

Shared by the concurrency test and scripts/bench_signup.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.activities.models import Activity, Signup
from portal.clock import utcnow
from tests.server import (  # noqa: F401 - the shared parts, used through this module too
    ROOT,
    WaveResult,
    free_port,
    gunicorn,
    make_residents,
    post_all,
    request,
    session_cookies,
)


def make_activity(session, capacity: int = 50, max_companions: int = 3) -> int:
    now = utcnow()
    activity = Activity(title="端午包粽子", description="", category="festival", audience="",
                        place="活动室", starts_at=now + timedelta(days=3),
                        ends_at=now + timedelta(days=3, hours=2), capacity=capacity,
                        max_companions=max_companions, signup_opens_at=now - timedelta(hours=1),
                        signup_closes_at=now + timedelta(days=2), status="published")
    session.add(activity)
    session.commit()
    return activity.id


def wave(port, activity_id, cookies, action: str, companions: dict[int, int] | None = None,
         threads: int = 32) -> WaveResult:
    """POST /activities/<id>/<action> for every user at once."""
    def fields(user_id):
        return "" if companions is None else f"companions={companions.get(user_id, 0)}"

    return post_all(port, cookies, f"/activities/{activity_id}/{action}", fields, threads)


def signups(session, activity_id) -> list[Signup]:
    session.expire_all()
    return list(session.scalars(select(Signup).where(Signup.activity_id == activity_id)
                                .order_by(Signup.seq)))


def greedy(parties: list[tuple[int, int]], capacity: int) -> set[int]:
    """Who gets a seat when parties (user id, seats) arrive in this order."""
    free, seated = capacity, set()
    for user_id, seats in parties:
        if seats <= free:
            seated.add(user_id)
            free -= seats
    return seated


COMPANION_PATTERN = (0, 0, 1, 0, 2, 0, 0, 3, 0, 1)
CSRF_ERROR = re.compile("csrf", re.I)
