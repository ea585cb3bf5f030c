"""The builder at /staff/surveys: every action as a plain form post and as an htmx request."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.surveys.models import Question, Survey
from tests.conftest import csrf_token
from tests.surveys.helpers import full_answer, make_survey

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def _new_survey(client, db):
    token = csrf_token(client, "/staff/surveys")
    response = client.post("/staff/surveys", data={"csrf_token": token, "title": "Lift repairs"})
    assert response.status_code == 303
    return db.scalar(select(Survey).where(Survey.title == "Lift repairs"))


def _question(kind, text, options="", most="", required="y"):
    data = {"new-kind": kind, "new-text": text, "new-options": options, "new-max_choices": most}
    if required:
        data["new-required"] = required
    return data


def _add(client, survey, data, headers=None):
    token = csrf_token(client, f"/staff/surveys/{survey.id}")
    return client.post(f"/staff/surveys/{survey.id}/questions",
                       data={**data, "new-csrf_token": token}, headers=headers or {})


def _texts(db, survey):
    db.expire_all()
    return [q.text for q in db.scalars(select(Question).where(Question.survey_id == survey.id)
                                       .order_by(Question.position))]


def test_build_reorder_edit_remove_and_publish(db, staff_client):
    client = staff_client(Role.DEPUTY_DIRECTOR)
    survey = _new_survey(client, db)

    # Plain post: a redirect back to the builder.
    response = _add(client, survey, _question("single", "Was it quick?", "Yes\n No \n\nYes"))
    assert response.status_code == 303
    # htmx: the questions section comes back on its own.
    response = _add(client, survey, _question("satisfaction", "Overall?"), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="questions"')
    assert '<p class="flash flash-success">Question added.</p>' in html
    assert 'hx-nonce="' in html
    _add(client, survey, _question("long_text", "Tell us more", required=""))
    assert _texts(db, survey) == ["Was it quick?", "Overall?", "Tell us more"]
    first = db.scalar(select(Question).where(Question.text == "Was it quick?"))
    assert first.options == ["Yes", "No"]  # blank lines and repeats dropped

    token = csrf_token(client, f"/staff/surveys/{survey.id}")
    move = f"/staff/surveys/{survey.id}/questions/{first.id}/move"
    assert client.post(move, data={"csrf_token": token, "direction": "down"}).status_code == 303
    assert _texts(db, survey) == ["Overall?", "Was it quick?", "Tell us more"]
    response = client.post(move, data={"csrf_token": token, "direction": "up"}, headers=HTMX)
    assert response.status_code == 200
    assert _texts(db, survey) == ["Was it quick?", "Overall?", "Tell us more"]

    edit_url = f"/staff/surveys/{survey.id}/questions/{first.id}/edit"
    edit = client.get(edit_url, headers=HTMX).get_data(as_text=True)
    assert f'name="q{first.id}-text"' in edit and "<html" not in edit
    edit = client.get(edit_url).get_data(as_text=True)  # without JavaScript: the whole page
    assert f'name="q{first.id}-text"' in edit and "<html" in edit
    response = client.post(f"/staff/surveys/{survey.id}/questions/{first.id}", data={
        f"q{first.id}-csrf_token": token, f"q{first.id}-kind": "multiple",
        f"q{first.id}-text": "Which helped?", f"q{first.id}-options": "Phone\nVisit\nApp",
        f"q{first.id}-max_choices": "2", f"q{first.id}-required": "y"})
    assert response.status_code == 303
    db.refresh(first)
    assert (first.kind, first.max_choices) == ("multiple", 2)

    last = db.scalar(select(Question).where(Question.text == "Tell us more"))
    remove = f"/staff/surveys/{survey.id}/questions/{last.id}/remove"
    assert client.post(remove, data={"csrf_token": token}).status_code == 303
    assert _texts(db, survey) == ["Which helped?", "Overall?"]

    assert "Which helped?" in client.get(
        f"/staff/surveys/{survey.id}/preview").get_data(as_text=True)

    # Publishing needs dates first.
    response = client.post(f"/staff/surveys/{survey.id}/publish", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Set the opening and closing dates before publishing" in response.get_data(
        as_text=True)
    response = client.post(f"/staff/surveys/{survey.id}/settings", data={
        "csrf_token": token, "title": "Lift repairs", "intro": "", "opens_on": "2026-01-01",
        "closes_on": "2099-12-31", "audience": "all_residents"})
    assert response.status_code == 303
    client.post(f"/staff/surveys/{survey.id}/publish", data={"csrf_token": token})
    db.refresh(survey)
    assert survey.status == "published" and not survey.anonymous


def test_question_errors_come_back_inline(db, staff_client):
    client = staff_client(Role.DIRECTOR)
    survey = _new_survey(client, db)
    response = _add(client, survey, _question("single", "Pick one", "Only"), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give at least two options, one per line." in html
    assert 'value="Pick one"' in html  # the typed question stays
    response = _add(client, survey, _question("multiple", "Pick", "A\nB", most="3"))
    assert response.status_code == 422
    assert "between 1 and the number of options" in response.get_data(as_text=True)
    response = _add(client, survey, _question("short_text", ""))
    assert "Write the question." in response.get_data(as_text=True)
    assert _texts(db, survey) == []


def test_settings_validate_audience_and_dates(db, staff_client, make_user):
    make_user(Role.RESIDENT, building="3号楼")
    client = staff_client(Role.DIRECTOR)
    survey = _new_survey(client, db)
    token = csrf_token(client, f"/staff/surveys/{survey.id}")
    base = {"csrf_token": token, "title": "Lift repairs", "opens_on": "2026-02-01",
            "closes_on": "2026-01-01", "audience": "buildings"}
    response = client.post(f"/staff/surveys/{survey.id}/settings", data=base)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The last day must be on or after the opening date." in html
    base["closes_on"] = "2026-03-01"
    response = client.post(f"/staff/surveys/{survey.id}/settings",
                           data={**base, "audience-buildings-buildings": "99号楼"})
    assert "Choose Buildings from the list." in response.get_data(as_text=True)
    response = client.post(f"/staff/surveys/{survey.id}/settings",
                           data={**base, "audience-buildings-buildings": "3号楼"})
    assert response.status_code == 303
    db.refresh(survey)
    assert survey.audience_params == {"buildings": ["3号楼"]}


def test_questions_are_locked_once_answered(db, staff_client, resident_client):
    survey = make_survey(db)
    token = csrf_token(resident_client, f"/surveys/{survey.id}")
    resident_client.post(f"/surveys/{survey.id}",
                         data={**full_answer(survey), "csrf_token": token})
    client = staff_client(Role.DIRECTOR)
    response = _add(client, survey, _question("short_text", "Sneaky"), headers=HTMX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    # The refusal is the one error feedback, never styled as a success.
    assert re.search(r'class="flash flash-error">People have already answered this survey, '
                     r"so its questions can no longer change", html)
    assert "flash-success" not in html and "<html" not in html
    question = survey.questions[0]
    token = csrf_token(client, f"/staff/surveys/{survey.id}")
    response = client.post(f"/staff/surveys/{survey.id}/questions/{question.id}/remove",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "can no longer change" in response.get_data(as_text=True)
    assert len(_texts(db, survey)) == 6


def test_close_early_and_copy_into_draft(db, staff_client):
    survey = make_survey(db)
    client = staff_client(Role.DIRECTOR)
    token = csrf_token(client, f"/staff/surveys/{survey.id}")
    client.post(f"/staff/surveys/{survey.id}/close", data={"csrf_token": token})
    db.refresh(survey)
    assert not survey.is_open(survey.closes_at)
    response = client.post(f"/staff/surveys/{survey.id}/copy", data={"csrf_token": token})
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = db.get(Survey, copy_id)
    assert copy.status == "draft" and copy.title == "Copy of Services 2026"
    assert [q.text for q in copy.questions] == [q.text for q in survey.questions]


def test_only_survey_managers_get_in(db, staff_client):
    survey = make_survey(db)
    culture = staff_client(Role.CULTURE)
    assert culture.get("/staff/surveys").status_code == 403
    assert culture.get(f"/staff/surveys/{survey.id}/results").status_code == 403
    director = staff_client(Role.DIRECTOR)
    home = director.get("/staff/").get_data(as_text=True)
    assert "Services 2026" in home  # the panel lists open surveys
