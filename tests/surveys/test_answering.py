"""Residents answering: who sees what, one response each, and refusals that say why."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.surveys.models import Answer, Participation, Response
from tests.conftest import csrf_token, sign_in
from tests.surveys.helpers import full_answer, make_survey


def _post(client, survey, data):
    data = {**data, "csrf_token": csrf_token(client, f"/surveys/{survey.id}")}
    return client.post(f"/surveys/{survey.id}", data=data)


def _count(db, model, survey):
    return db.scalar(select(func.count()).select_from(model)
                     .where(model.survey_id == survey.id))


def test_resident_answers_once_and_sees_thanks(db, resident_client):
    survey = make_survey(db)
    page = resident_client.get("/surveys/").get_data(as_text=True)
    assert survey.title in page
    form = resident_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "6 questions, about 3 minutes" in form

    response = _post(resident_client, survey, full_answer(survey))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/thanks")
    assert "Thank you for your answers" in resident_client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert _count(db, Response, survey) == 1
    assert db.scalar(select(func.count()).select_from(Answer)) == 7  # two choices in one

    # The list now shows it under "answered", not "waiting".
    page = resident_client.get("/surveys/").get_data(as_text=True)
    assert "There is no survey for you to answer right now" in page
    # Opening the survey again goes to the thank-you page.
    assert resident_client.get(f"/surveys/{survey.id}").status_code == 303


def test_second_response_is_refused_kindly(db, resident_client):
    survey = make_survey(db)
    token = csrf_token(resident_client, f"/surveys/{survey.id}")
    data = {**full_answer(survey), "csrf_token": token}
    assert resident_client.post(f"/surveys/{survey.id}", data=data).status_code == 303
    second = resident_client.post(f"/surveys/{survey.id}", data=data, follow_redirects=True)
    assert "You have already answered this survey" in second.get_data(as_text=True)
    assert _count(db, Response, survey) == 1
    assert _count(db, Participation, survey) == 1


def test_simultaneous_double_submit_keeps_one_response(app, db, make_user):
    survey = make_survey(db, anonymous=True)
    user = make_user(Role.RESIDENT)
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        sign_in(client, user)
    payloads = [{**full_answer(survey), "csrf_token": csrf_token(c, f"/surveys/{survey.id}")}
                for c in clients]
    barrier = threading.Barrier(2)
    statuses = []

    def send(client, data):
        barrier.wait()
        statuses.append(client.post(f"/surveys/{survey.id}", data=data).status_code)

    pairs = zip(clients, payloads, strict=True)
    threads = [threading.Thread(target=send, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    assert _count(db, Participation, survey) == 1
    assert _count(db, Response, survey) == 1


def test_closed_survey_refuses_answers(db, resident_client):
    survey = make_survey(db)
    token = csrf_token(resident_client, f"/surveys/{survey.id}")
    survey.closes_at = survey.opens_at  # closed since it opened
    db.commit()
    response = resident_client.post(f"/surveys/{survey.id}",
                                    data={**full_answer(survey), "csrf_token": token})
    assert response.status_code == 409
    assert "This survey is closed" in response.get_data(as_text=True)
    assert _count(db, Response, survey) == 0


def test_choice_not_among_options_is_refused(db, resident_client):
    survey = make_survey(db)
    data = full_answer(survey, single=7)
    response = _post(resident_client, survey, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Question 1: that choice is not one of the options" in html
    assert f'href="#q{survey.questions[0].id}-0"' in html  # the summary links to it
    assert _count(db, Response, survey) == 0
    for bad in ({"level": 6}, {"score": 11}, {"multiple": ("0", "9")}):
        assert _post(resident_client, survey, full_answer(survey, **bad)).status_code == 422
    response = _post(resident_client, survey, full_answer(survey, multiple=(0, 1, 2)))
    assert "Question 2: choose at most 2" in response.get_data(as_text=True)


def test_over_long_text_is_refused_and_values_kept(db, resident_client):
    survey = make_survey(db)
    response = _post(resident_client, survey, full_answer(survey, short="x" * 201,
                                                          long="My long story"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Question 5: please keep your answer under 200 characters (you wrote 201)" in html
    assert "My long story</textarea>" in html
    assert 'aria-invalid="true"' in html


def test_required_questions_must_be_answered(db, resident_client):
    survey = make_survey(db)
    response = _post(resident_client, survey, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Question 1: please choose an answer" in html
    assert "Question 5" not in html  # text questions are optional here


def test_audience_of_chosen_buildings(db, make_user, app):
    inside = make_user(Role.RESIDENT, building="3号楼")
    outside = make_user(Role.RESIDENT, building="9号楼")
    survey = make_survey(db, audience="buildings", params={"buildings": ["3号楼", "5号楼"]})
    for user, visible in ((inside, True), (outside, False)):
        client = app.test_client()
        sign_in(client, user)
        assert (survey.title in client.get("/surveys/").get_data(as_text=True)) is visible
        assert client.get(f"/surveys/{survey.id}").status_code == (200 if visible else 404)


def test_drafts_and_future_surveys_are_not_shown(db, resident_client):
    draft = make_survey(db, status="draft", title="Draft one")
    later = make_survey(db, opens_in_days=3, title="Later one")
    page = resident_client.get("/surveys/").get_data(as_text=True)
    assert "Draft one" not in page and "Later one" not in page
    assert resident_client.get(f"/surveys/{draft.id}").status_code == 404
    assert resident_client.get(f"/surveys/{later.id}").status_code == 404


def test_published_summary_on_thank_you_page(db, resident_client):
    survey = make_survey(db)
    _post(resident_client, survey, full_answer(survey))
    survey.summary = "Most of you want **more benches**."
    db.commit()
    thanks = resident_client.get(f"/surveys/{survey.id}/thanks").get_data(as_text=True)
    assert "more benches" not in thanks
    survey.summary_published = True
    db.commit()
    thanks = resident_client.get(f"/surveys/{survey.id}/thanks").get_data(as_text=True)
    assert "<strong>more benches</strong>" in thanks
