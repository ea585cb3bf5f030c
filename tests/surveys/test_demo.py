"""Issue 17: the demo survey is one a 居委会 would run, with one honest time estimate."""

from __future__ import annotations

import re

from portal.surveys import demo, service
from portal.surveys.models import Kind


def test_the_demo_survey_asks_no_recommend_question_and_says_one_time(app, db, resident,
                                                                      resident_client):
    with app.app_context():
        survey = demo.demo_survey(db)
        db.commit()
    kinds = [question.kind_enum for question in survey.questions]
    assert Kind.LIKELIHOOD not in kinds and len(kinds) == len(set(kinds))
    assert "分钟" not in survey.intro and "minute" not in survey.intro
    minutes = service.minutes_needed(survey.questions)
    resident.locale = "zh_Hans_CN"
    db.commit()
    page = resident_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert page.count("分钟") == 1 and f"大约需要 {minutes} 分钟" in page
    resident.locale = "en"
    db.commit()
    page = resident_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert re.findall(r"\d+ minutes?|a minute", page) == [f"{minutes} minutes"]


def test_the_recommend_question_is_still_a_question_type():
    assert Kind.LIKELIHOOD in list(Kind)
