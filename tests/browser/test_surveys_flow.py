"""At 390 px: staff build a survey with one question of each type and publish it; two residents
answer; a resident outside the audience never sees it; staff read counts, charts and the rate.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.accounts.roles import Role
from tests.conftest import TEST_PASSWORD

QUESTIONS = [
    ("Single choice", "How often do you visit?", "Weekly\nMonthly\nRarely", ""),
    ("Multiple choice", "Which services do you use?", "Repairs\nAid\nActivities", "2"),
    ("Satisfaction (five levels)", "How satisfied are you overall?", "", ""),
    ("Likelihood to recommend (0–10)", "Would you recommend us?", "", ""),
    ("Short text", "One thing we do well", "", ""),
    ("Long text", "Anything else?", "", ""),
]


def _sign_in(page, url, phone):
    page.goto(url + "/auth/login")
    page.get_by_label("Mobile phone number").fill(phone)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).not_to_have_url(re.compile("/auth/login"))


def _build_and_publish(page, url, audit):
    page.goto(url + "/staff/surveys")
    audit(page)
    page.get_by_label("Title").fill("Neighbourhood services 2026")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Neighbourhood services 2026")
    audit(page)

    page.get_by_label("Opens on").fill("2026-01-01")
    page.get_by_label("Last day to answer").fill("2099-12-31")
    page.get_by_label("Residents of chosen buildings").check()
    page.get_by_label("Building 3").check()  # 3号楼, said in English
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".flash-success")).to_contain_text("Survey details saved")

    questions = page.locator("#questions")
    for number, (kind, text, options, most) in enumerate(QUESTIONS, start=1):
        questions.get_by_label("Type of question").select_option(label=kind)
        questions.get_by_label("Question", exact=True).fill(text)
        questions.get_by_label(re.compile("^Options, one per line")).fill(options)
        questions.get_by_label(re.compile("^Most options")).fill(most)
        questions.get_by_label("An answer is required").set_checked(number <= 4)
        questions.get_by_role("button", name="Add question").click()
        expect(page.locator(".survey-questions > li")).to_have_count(number)  # swapped in
    audit(page)

    # Reorder with the buttons: the last question goes up, then back down.
    page.get_by_role("button", name=re.compile("Move up.*Anything else")).click()
    expect(page.locator(".survey-questions > li").nth(4)).to_contain_text("Anything else?")
    page.get_by_role("button", name=re.compile("Move down.*Anything else")).click()
    expect(page.locator(".survey-questions > li").nth(5)).to_contain_text("Anything else?")
    audit(page)

    page.get_by_role("link", name="Preview").click()
    expect(page.locator(".survey-progress")).to_have_text("6 questions, about 3 minutes")
    audit(page)
    page.get_by_role("link", name="Back to the survey").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash-success")).to_contain_text("Survey published")
    audit(page)


def _answer(page, url, audit, level, score, write_in):
    page.goto(url + "/surveys/")
    audit(page)
    page.get_by_role("link", name=re.compile("Neighbourhood services 2026")).click()
    expect(page.locator(".survey-progress")).to_have_text("6 questions, about 3 minutes")
    audit(page)
    # Forgetting a required question first: the summary takes focus, the text stays.
    page.get_by_label("One thing we do well").fill(write_in)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("One thing we do well")).to_have_value(write_in)
    audit(page)
    page.get_by_label("Monthly").check()
    page.get_by_label("Repairs").check()
    page.get_by_label("Activities").check()
    page.get_by_label(level, exact=True).check()
    page.get_by_label(score, exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    audit(page)


def test_build_answer_and_read_results(live_server, new_page, audit, make_user):
    url = live_server.url
    director = make_user(Role.DIRECTOR, name="Director Chen")
    first = make_user(Role.RESIDENT, building="3号楼")
    second = make_user(Role.RESIDENT, building="3号楼")
    outsider = make_user(Role.RESIDENT, building="9号楼")

    staff = new_page(locale="en-US")
    _sign_in(staff, url, director.phone)
    _build_and_publish(staff, url, audit)

    for user, level, score, text in ((first, "Very satisfied", "10", "Quick repairs"),
                                     (second, "Fairly satisfied", "6", "Friendly staff")):
        page = new_page(locale="en-US")
        _sign_in(page, url, user.phone)
        _answer(page, url, audit, level, score, text)

    other = new_page(locale="en-US")
    _sign_in(other, url, outsider.phone)
    other.goto(url + "/surveys/")
    expect(other.get_by_text("There is no survey for you to answer right now")).to_be_visible()
    expect(other.get_by_text("Neighbourhood services 2026")).to_have_count(0)
    audit(other)

    staff.goto(url + "/staff/surveys")
    staff.get_by_role("link", name=re.compile("^Results")).first.click()
    expect(staff.locator("#response-count")).to_have_text("2")
    expect(staff.get_by_text("2 residents")).to_be_visible()  # building 3 only, not 9
    expect(staff.locator("svg")).to_have_count(4)
    expect(staff.locator(".survey-figure").first).to_contain_text("50.0%")
    expect(staff.get_by_text("Fairly satisfied (shown separately): 1 (50.0%)")).to_be_visible()
    expect(staff.get_by_text("Quick repairs")).to_be_visible()
    audit(staff)
