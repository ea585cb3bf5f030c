"""Fixtures for the API: seeded categories, keys of each kind, and a resident's request."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.api import service as api
from portal.service_requests import service


@pytest.fixture
def categories(db):
    service.seed_categories(db)
    db.commit()
    return {category.key: category for category in service.categories(db)}


@pytest.fixture
def issue_key(app, db, make_user):
    """issue_key(name, read=False, create=True) -> the secret of a new key."""

    def build(name="12345 热线平台", read=False, create=True):
        director = db.scalar(select(User).where(User.role == Role.DIRECTOR.value)) or \
            make_user(Role.DIRECTOR)
        with app.app_context():
            _key, secret = api.issue_key(db, director, name=name, may_read_details=read,
                                      may_create=create)
        db.commit()
        return secret

    return build


@pytest.fixture
def resident_request(app, db, categories, resident):
    with app.app_context():
        item = service.submit(
            db, resident, category=categories["repair"],
            description="单元门的门禁坏了，关不上。我家电话 13812345678",
            building="3号楼", location="2单元 501", urgent=False, many_households=False,
            idempotency_key=secrets.token_urlsafe(16))
    db.commit()
    return item


def xml_of(response):
    """The body parsed by the standard library's XML parser."""
    from xml.etree import ElementTree

    assert response.mimetype == "text/xml", response.mimetype
    return ElementTree.fromstring(response.get_data())  # noqa: S314 - our own answer


def as_plain(element):
    """An XML element as the JSON the same endpoint gives: lists where the spec nests lists."""
    children = list(element)
    if not children:
        return element.text or ""
    names = [child.tag for child in children]
    if len(set(names)) == 1 and len(names) >= 1 and element.tag in LIST_ELEMENTS:
        return [as_plain(child) for child in children]
    return {child.tag: as_plain(child) for child in children}


LIST_ELEMENTS = {"services", "service_requests", "attributes", "values", "endpoints", "formats",
                 "errors"}


def stringified(value):
    """JSON values as XML carries them: booleans as true/false, numbers as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {key: stringified(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stringified(item) for item in value]
    return str(value)
