from __future__ import annotations

from datetime import timedelta

import pytest

from portal.activities.models import Activity
from portal.clock import utcnow


@pytest.fixture
def make_activity(db):
    def build(**fields) -> Activity:
        now = utcnow()
        values = {
            "title": "剪纸体验课", "description": "带上**剪刀**", "category": "heritage",
            "audience": "", "place": "活动室", "starts_at": now + timedelta(days=3),
            "ends_at": now + timedelta(days=3, hours=2), "capacity": 10, "max_companions": 2,
            "signup_opens_at": now - timedelta(days=1),
            "signup_closes_at": now + timedelta(days=2), "status": "published",
        }
        values.update(fields)
        activity = Activity(**values)
        db.add(activity)
        db.commit()
        return activity

    return build
