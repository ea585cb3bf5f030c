"""The figures page and its JSON show every rate of the hand-built November as numerator
and denominator; only the figures permission sees them."""

from __future__ import annotations

import re

import pytest

from portal.accounts.roles import Role
from tests.conftest import sign_in


@pytest.fixture
def director_client(app, november):
    client = app.test_client()
    sign_in(client, november["director"])
    return client


def test_the_json_holds_every_rate(director_client):
    response = director_client.get("/staff/figures.json?month=2026-11")
    assert response.status_code == 200
    rates = response.get_json()["requests"]["rates"]
    found = {key: (value["numerator"], value["denominator"]) for key, value in rates.items()}
    assert found == {"response": (5, 7), "on_time": (2, 6), "resolution": (3, 7),
                     "satisfaction": (2, 4), "rating_rate": (4, 5)}
    assert response.get_json()["follow_ups"]["open"] == 1


def test_the_page_shows_numerators_denominators_and_formulas(director_client):
    response = director_client.get("/staff/figures?month=2026-11")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for key, numerator, denominator, percent in (
            ("response", 5, 7, "71.4%"), ("on_time", 2, 6, "33.3%"),
            ("resolution", 3, 7, "42.9%"), ("satisfaction", 2, 4, "50.0%"),
            ("rating_rate", 4, 5, "80.0%")):
        card = re.search(rf'<div class="figure-card" id="rate-{key}" data-numerator="(\d+)" '
                         rf'data-denominator="(\d+)">(.*?)</div>', html, re.S)
        assert card and card.groups()[:2] == (str(numerator), str(denominator)), key
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card[3]))
        assert percent in text and f"分子 {numerator}" in text and f"分母 {denominator}" in text
        assert "÷" in text  # the formula in words
    assert "<svg" in html and "/staff/queue?" in html
    assert "figure_from=2026-11-01" in html and "figure_to=2026-11-30" in html


def test_bad_input_is_answered_not_a_crash(director_client):
    for query in ("month=2026-13", "from=2026-11-31", "from=2026-11-10&to=2026-11-01",
                  "from=2020-01-01&to=2026-01-01", "month=x" * 50, "category=99999999999999"):
        response = director_client.get(f"/staff/figures?{query}")
        assert response.status_code in (200, 422), query
        assert director_client.get(f"/staff/figures.json?{query}").status_code in (200, 422)


@pytest.mark.parametrize("role,status", [(Role.DIRECTOR, 200), (Role.DEPUTY_DIRECTOR, 200),
                                         (Role.GRID_WORKER, 403), (Role.CIVIL_AFFAIRS, 403),
                                         (Role.ADMIN, 403), (Role.RESIDENT, 403)])
def test_only_the_figures_permission_sees_figures(staff_client, role, status):
    client = staff_client(role)
    for path in ("/staff/figures", "/staff/figures.json", "/staff/figures/reports",
                 "/staff/figures/report?month=2026-11"):
        assert client.get(path).status_code == status, path


def test_the_number_of_statements_does_not_grow_with_the_data(director_client, count_queries,
                                                              november, app, db):
    with count_queries() as before:
        director_client.get("/staff/figures?month=2026-11")
    owner = november["requests"]["A"].owner
    import secrets

    from portal.service_requests import service as s

    from .conftest import at
    with app.app_context():
        for day in range(1, 29):
            s.submit(db, owner, category=november["categories"]["parking"], description="x",
                     building=f"{day}号楼", location="", urgent=False, many_households=False,
                     idempotency_key=secrets.token_urlsafe(8), now=at(day, 15))
    db.commit()
    with count_queries() as after:
        director_client.get("/staff/figures?month=2026-11")
    assert after.count == before.count
