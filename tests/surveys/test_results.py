"""Results people can read, the CSV export, anonymity, and a fixed query budget."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import OperationalError

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import local
from portal.registry import AudienceParam, AudienceSource, registry
from portal.surveys.demo import bulk_responses
from portal.surveys.models import Answer, Participation, Response
from portal.surveys.service import nps
from tests.conftest import csrf_token, sign_in
from tests.surveys.helpers import full_answer, make_survey


def _answer(app, user, survey, **choices):
    client = app.test_client()
    sign_in(client, user)
    token = csrf_token(client, f"/surveys/{survey.id}")
    response = client.post(f"/surveys/{survey.id}",
                           data={**full_answer(survey, **choices), "csrf_token": token})
    assert response.status_code == 303


def test_results_show_counts_rate_charts_and_formula(app, db, make_user, staff_client):
    survey = make_survey(db)
    people = [make_user(Role.RESIDENT) for _ in range(4)]
    for user, level, score in zip(people[:3], (5, 4, 3), (10, 9, 2), strict=True):
        _answer(app, user, survey, level=level, score=score, short=f"Note {level}")
    client = staff_client(Role.DIRECTOR)
    html = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert '<dd id="response-count">3</dd>' in html
    assert "4 residents" in html and "75.0%" in html  # 3 of 4 residents
    assert "Satisfaction rate: <strong>66.7%</strong>" in html  # 2 of 3 satisfied
    assert "Fairly satisfied (shown separately): 1 (33.3%)" in html
    assert "“Fairly satisfied” is shown separately" in html  # the formula
    assert "Net Promoter Score: <strong>+33</strong>" in html  # 2 promoters, 1 detractor
    assert html.count("<svg") == 4  # one chart per choice, level and score question
    assert "<table" in html and "Note 5" in html
    assert "style=" not in html


def test_nps_formula():
    assert nps({10: 5, 9: 1, 8: 2, 3: 2}) == (40.0, 6, 2, 2)
    assert nps({})[0] is None


def test_free_text_answers_are_paginated(app, db, staff_client):
    survey = make_survey(db, anonymous=True)
    users = [User(phone=f"1550000{n:04d}", name=f"r{n}", password_hash="x", role="resident")
             for n in range(160)]
    db.add_all(users)
    db.commit()
    bulk_responses(db, survey, [user.id for user in users])  # about half write something
    db.commit()
    question = next(q for q in survey.questions if q.kind == "short_text")
    written = db.scalar(select(func.count()).select_from(Answer)
                        .where(Answer.question_id == question.id))
    assert 50 < written <= 100
    client = staff_client(Role.DIRECTOR)
    results = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert f"Read all {written} answers" in results
    url = f"/staff/surveys/{survey.id}/results/questions/{question.id}"
    first = client.get(url).get_data(as_text=True)
    assert f"{written} written answers" in first and "Page 1 of 2" in first
    second = client.get(url + "?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in second  # the fragment for htmx
    assert second.count("<li>") == written - 50


def test_csv_has_one_row_per_response_in_question_order(app, db, make_user, staff_client):
    survey = make_survey(db)
    staff = staff_client(Role.DIRECTOR)
    # Reorder: the last question moves up once, so the header must follow.
    last = survey.questions[-1]
    token = csrf_token(staff, f"/staff/surveys/{survey.id}")
    staff.post(f"/staff/surveys/{survey.id}/questions/{last.id}/move",
               data={"csrf_token": token, "direction": "up"})
    db.expire_all()
    order = [q.text for q in survey.questions]
    assert order[-2] == "Anything else?"
    _answer(app, make_user(Role.RESIDENT), survey, short="=HYPERLINK(\"x\")", long="-1")
    _answer(app, make_user(Role.RESIDENT), survey, multiple=(2,), long="@me")

    response = staff.get(f"/staff/surveys/{survey.id}/responses.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Response", "Resident", "Building", "Answered at"]
    assert header[4:] == [f"{i}. {text}" for i, text in enumerate(order, start=1)]
    assert [row[0] for row in body] == ["1", "2"]
    assert len(body) == 2
    cells = {cell for row in body for cell in row}
    assert "'=HYPERLINK(\"x\")" in cells and "'-1" in cells and "'@me" in cells
    assert "Requests; Aid" in cells and "Very satisfied" in cells


def test_anonymous_answers_cannot_be_linked_to_residents(app, db, make_user):
    """Proof from the database itself.

    Participation says who took part; responses and answers say what was answered. For an
    anonymous survey the response row has no user id and no time, its key is random (so it
    carries no order), and answers have no surrogate id. The two sides share no column but
    the survey id, so no join can pair a resident with their answers. (What remains is
    physical row order and, on PostgreSQL, transaction ids: the database's own bookkeeping,
    out of reach of the application's queries. The report says so.)
    """
    survey = make_survey(db, anonymous=True)
    alice, bob = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    _answer(app, alice, survey, level=1, short="Alice wrote this")
    _answer(app, bob, survey, level=5, short="Bob wrote this")

    inspector = inspect(db.get_bind())
    response_columns = {c["name"] for c in inspector.get_columns("survey_response")}
    answer_columns = {c["name"] for c in inspector.get_columns("survey_answer")}
    participation_columns = {c["name"] for c in inspector.get_columns("survey_participation")}
    # Shared column names: survey_id (the same for everyone), id (random hex on one side,
    # a number on the other, never equal) and user_id (empty when anonymous, checked below).
    shared = (response_columns | answer_columns) & participation_columns
    assert shared == {"survey_id", "id", "user_id"}
    assert "id" not in answer_columns
    responses = db.scalars(select(Response).where(Response.survey_id == survey.id)).all()
    assert len(responses) == 2
    assert all(r.user_id is None and r.submitted_at is None for r in responses)
    # The response keys are random hex, not numbers that follow the participation order.
    participations = db.scalars(select(Participation).order_by(Participation.id)).all()
    assert {p.user_id for p in participations} == {alice.id, bob.id}
    assert all(len(r.id) == 32 and not r.id.isdigit() for r in responses)
    assert not {r.id for r in responses} & {str(p.id) for p in participations}
    # No foreign key from the answer side points at the user or the participation table.
    for table in ("survey_response", "survey_answer"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)
                   if fk["referred_table"] in ("user", "survey_participation")}
        if table == "survey_response":
            assert targets <= {"user"}  # the column exists for named surveys, and is empty
        else:
            assert targets == set()
    # On SQLite the answer side has no hidden rowid either: no order of arrival is kept.
    if db.get_bind().dialect.name == "sqlite":
        for statement in ("SELECT rowid FROM survey_response", "SELECT rowid FROM survey_answer"):
            with pytest.raises(OperationalError):
                db.execute(text(statement))
            db.rollback()
    # Every way of pairing the two sides gives both answers to both residents.
    pairs = db.execute(select(Participation.user_id, Answer.text)
                       .join(Response, Response.survey_id == Participation.survey_id)
                       .join(Answer, Answer.response_id == Response.id)
                       .where(Answer.text.like("% wrote this"))).all()
    assert sorted(pairs) == sorted([(alice.id, "Alice wrote this"), (alice.id, "Bob wrote this"),
                                    (bob.id, "Alice wrote this"), (bob.id, "Bob wrote this")])


def test_named_survey_keeps_the_name(app, db, make_user, staff_client):
    survey = make_survey(db, anonymous=False)
    alice = make_user(Role.RESIDENT, name="Alice")
    _answer(app, alice, survey)
    response = db.scalar(select(Response).where(Response.survey_id == survey.id))
    assert response.user_id == alice.id and response.submitted_at is not None
    staff = staff_client(Role.DIRECTOR)
    csv_text = staff.get(f"/staff/surveys/{survey.id}/responses.csv").get_data(as_text=True)
    (row,) = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))[1:]
    assert row[1:3] == ["Alice", "3号楼"]
    assert row[3] == local(response.submitted_at).strftime("%Y-%m-%d %H:%M")  # local time

    # The same rows as .xlsx; the survey's title names the sheet, cleaned of what Excel refuses.
    survey.title = "Lifts: 2026/27 [draft]?"
    db.commit()
    reply = staff.get(f"/staff/surveys/{survey.id}/responses.xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.get_data())).active
    assert sheet.title == "Lifts 2026 27 draft"
    assert [cell.value for cell in sheet[2]][1:3] == ["Alice", "3号楼"]


def _seed_residents(db, count, start=0):
    from sqlalchemy import insert

    db.execute(insert(User), [
        {"phone": f"1880{n:07d}", "name": f"r{n}", "password_hash": "x", "role": "resident",
         "building": f"{n % 5}号楼", "session_token": f"t{n:020d}", "active": True}
        for n in range(start, start + count)])
    db.commit()
    return list(db.scalars(select(User.id).where(User.phone.like("1880%")).order_by(User.id)))


def test_results_query_budget_does_not_grow_with_20000_responses(app, db, staff_client,
                                                                 count_queries):
    small = make_survey(db, anonymous=True, title="Small")
    big = make_survey(db, anonymous=True, title="Big")
    ids = _seed_residents(db, 20_000)
    bulk_responses(db, small, ids[:3])
    bulk_responses(db, big, ids)
    db.commit()
    client = staff_client(Role.DIRECTOR)
    counts = {}
    for survey in (small, big):
        with count_queries() as log:
            response = client.get(f"/staff/surveys/{survey.id}/results")
        assert response.status_code == 200
        counts[survey.title] = log.count
    html = response.get_data(as_text=True)
    assert '<dd id="response-count">20000</dd>' in html
    assert counts["Small"] == counts["Big"]
    assert counts["Big"] <= 12, counts


def test_resident_survey_list_has_a_fixed_query_budget(app, db, make_user, count_queries):
    user = make_user(Role.RESIDENT)
    client = app.test_client()
    sign_in(client, user)
    make_survey(db)
    with count_queries() as one:
        client.get("/surveys/")
    for n in range(8):
        make_survey(db, title=f"Survey {n}", audience="buildings",
                    params={"buildings": [user.building]})
    with count_queries() as many:
        html = client.get("/surveys/").get_data(as_text=True)
    assert "Survey 7" in html
    assert many.count == one.count


def test_another_area_can_add_an_audience(make_app, make_user):
    """The activities area will add "attended activity X" like this, without our code."""
    from portal.surveys import audience as audiences

    def init_app(app: Flask):
        registry(app).add(AudienceSource(
            "phone_prefix", "Phone starts with",
            resolver=lambda params: select(User.id).where(User.phone.like(params["p"] + "%")),
            params=(AudienceParam("p", "Prefix", "choice",
                                  choices=lambda session: [("1370000", "1370000")]),)))

    app = make_app()
    init_app(app)
    with app.app_context():
        assert "phone_prefix" in [source.key for source in audiences.sources()]
    db = app.extensions["db_sessionmaker"]()
    survey = make_survey(db, audience="phone_prefix", params={"p": "1370000"})
    make_user(Role.RESIDENT)  # phone 1370000xxxx in the fixture
    with app.app_context():
        assert audiences.audience_size(db, survey) == 1
    db.close()
