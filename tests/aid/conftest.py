"""Aid fixtures: the seeded types, real file bytes, and applications at any stage."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from portal.aid import service
from portal.aid.demo import make_id_number

VALID_ID = "11010519491231002X"  # the GB 11643 example number, check digit X


def id_number(seed: int) -> str:
    import random

    return make_id_number(random.Random(seed))


def checklist_fields(html: str) -> dict:
    """The hidden item-N fields of a materials page, which say which item files-N is for:
    what a browser sends with the form."""
    import re

    return dict(re.findall(r'name="(item-\d+)" value="([^"]+)"', html))


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A real one-page PDF, as a scanner or a phone's "save as PDF" makes."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def ctx(app):
    """A request context, for code that shows translated text (no HTTP request is made)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def types(app, db):
    service.seed_types(db)
    db.commit()
    return {t.code: t for t in service.list_types(db)}


@pytest.fixture
def build_application(app, db, types):
    """build_application(user, code, kind, members, stage) -> a filled application."""
    counter = iter(range(1, 1000))

    def build(user, code="dibao", kind=None, members=1, stage="draft",
              today=date(2026, 11, 2), staff=None):
        # Only while building: a context left pushed would share `g` with later requests.
        with app.test_request_context():
            return _build(user, code, kind, members, stage, today, staff)

    def _build(user, code, kind, members, stage, today, staff):
        number = next(counter)
        application = service.start_application(db, user, types[code], kind, f"k{number}")
        service.save_applicant(application, name="张三丰", id_number=id_number(number * 7),
                               phone="13800138000")
        for index in range(members):
            service.add_member(db, application, name=f"成员{index}", relation="child",
                               id_number=id_number(number * 7 + index + 1), status="student")
        service.mark_done(application, "household")
        service.save_income(application, applicant_fen=50000, member_fen={}, irregular=False,
                            housing="rent", vehicles=0, savings_fen=0, circumstances="")
        service.save_consent(application, datetime.now(UTC))
        if stage != "draft":
            # Sent a while ago: past the minutes in which it may be taken back, so staff see it.
            sent = datetime.now(UTC) - service.UNDO_WINDOW - timedelta(minutes=1)
            service.submit(db, application, today, sent)
        if stage in ("accepted", "investigation", "notice"):
            service.accept(db, application, staff, today)
        if stage in ("investigation", "notice"):
            service.record_investigation(db, application, staff, today,
                                         investigators=["甲", "乙"], visited_on=today,
                                         findings="属实")
        if stage == "notice":
            service.start_notice(db, application, staff, today, 90000)
        db.commit()
        return application

    return build
