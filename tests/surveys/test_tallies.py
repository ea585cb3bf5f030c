"""The counts kept with each response equal the rows, whichever way the responses came (a
resident's form, the bulk demo); the staff home and the results page read them and their
statements do not grow with the responses."""

from __future__ import annotations

from sqlalchemy import distinct, func, insert, select

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.surveys.demo import bulk_responses
from portal.surveys.models import Answer, Kind, Question, Response, Survey, Tally
from tests.conftest import csrf_token, sign_in
from tests.surveys.helpers import full_answer, make_survey


def _answer(app, user, survey, **choices):
    client = app.test_client()
    sign_in(client, user)
    token = csrf_token(client, f"/surveys/{survey.id}")
    response = client.post(f"/surveys/{survey.id}",
                           data={**full_answer(survey, **choices), "csrf_token": token})
    assert response.status_code == 303


def _residents(db, count, prefix="1771"):
    db.execute(insert(User), [
        {"phone": f"{prefix}{n:07d}", "name": f"r{n}", "password_hash": "x",
         "role": "resident", "session_token": f"{prefix}{n:016d}", "active": True}
        for n in range(count)])
    db.commit()
    return list(db.scalars(select(User.id).where(User.phone.like(f"{prefix}%"))))


def _kept_equal_counted(db, survey_id):
    db.expire_all()
    survey = db.get(Survey, survey_id)
    assert survey.responses == db.scalar(select(func.count()).select_from(Response)
                                         .where(Response.survey_id == survey_id))
    for question in survey.questions:
        people = db.scalar(select(func.count(distinct(Answer.response_id)))
                           .where(Answer.question_id == question.id))
        assert question.answered == people, question.text
        counted = dict(db.execute(select(Answer.number, func.count())
                                  .where(Answer.question_id == question.id)
                                  .group_by(Answer.number)).all())
        kept = dict(db.execute(select(Tally.number, Tally.answers)
                               .where(Tally.question_id == question.id)).all())
        assert kept == ({} if Kind(question.kind).is_text else counted), question.text


def test_counts_kept_with_each_response_equal_the_rows(app, db, make_user):
    survey = make_survey(db)
    for level, multiple in ((5, (0, 1)), (4, (1,)), (5, (2, 3))):
        _answer(app, make_user(Role.RESIDENT), survey, level=level, multiple=multiple)
    _kept_equal_counted(db, survey.id)
    bulk_responses(db, survey, _residents(db, 300))
    db.commit()
    _kept_equal_counted(db, survey.id)
    assert db.get(Survey, survey.id).responses == 303
    multiple = next(q for q in db.get(Survey, survey.id).questions if q.kind == "multiple")
    assert db.scalar(select(Tally.answers).where(Tally.question_id == multiple.id,
                                                 Tally.number == 1)) >= 2


def test_a_second_response_from_the_same_person_counts_nothing(app, db, make_user):
    survey = make_survey(db)
    client = app.test_client()
    sign_in(client, make_user(Role.RESIDENT))
    token = csrf_token(client, f"/surveys/{survey.id}")
    for level in (5, 1):  # the second is thanked, not recorded
        client.post(f"/surveys/{survey.id}",
                    data={**full_answer(survey, level=level), "csrf_token": token})
    _kept_equal_counted(db, survey.id)
    assert db.get(Survey, survey.id).responses == 1


def test_staff_home_and_results_read_the_kept_counts_in_constant_statements(
        app, db, staff_client, count_queries):
    survey = make_survey(db, anonymous=True, title="Counted")
    client = staff_client(Role.DIRECTOR, locale="en")
    ids = _residents(db, 2000)
    bulk_responses(db, survey, ids[:2])
    db.commit()
    counts = {}
    for size in ("small", "large"):
        if size == "large":
            bulk_responses(db, survey, ids[2:])
            db.commit()
        for path in ("/staff/", f"/staff/surveys/{survey.id}/results"):
            client.get(path)
            with count_queries() as log:
                response = client.get(path)
            assert response.status_code == 200
            counts[size, path] = log.count
            statements = " ".join(log.statements).lower()
            assert "survey_response" not in statements, path  # no count of responses
    assert "2000 responses" in client.get("/staff/").get_data(as_text=True)
    for path in ("/staff/", f"/staff/surveys/{survey.id}/results"):
        assert counts["small", path] == counts["large", path], path
    assert db.scalar(select(func.count()).select_from(Question)
                     .where(Question.survey_id == survey.id)) == 6
