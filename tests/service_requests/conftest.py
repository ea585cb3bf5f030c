"""Fixtures for the requests area: the seeded categories and a quick way to file a request."""

from __future__ import annotations

import secrets

import pytest

from portal.service_requests import service


@pytest.fixture
def categories(db):
    service.seed_categories(db)
    db.commit()
    return {category.key: category for category in service.categories(db)}


@pytest.fixture
def file_request(app, db, categories):
    """file_request(owner, key="repair", **fields) -> a submitted request, committed."""

    def build(owner, key="repair", **fields):
        values = {"description": "单元门的门禁坏了，关不上。",
                  "building": owner.building or "3号楼",
                  "location": "2单元", "urgent": False, "many_households": False,
                  "idempotency_key": secrets.token_urlsafe(16)}
        values.update(fields)
        with app.app_context():
            item = service.submit(db, owner, category=categories[key], **values)
        db.commit()
        return item

    return build
