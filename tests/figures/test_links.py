"""Every number on /staff/figures links to the staff queue listing exactly the requests behind
it: the hand-built November plus K, rated twice (a bad rating reopened it; resolved again and
rated well), so ratings and rated requests differ."""

from __future__ import annotations

import html as markup
import re

import pytest
from sqlalchemy import select

from portal.satisfaction import Level
from portal.service_requests import service as s
from tests.conftest import sign_in

from .conftest import at

# Worked by hand from ``november``'s docstring, with K: received 11-16 09:00, accepted 10:00,
# resolved 11-17 09:00, rated 1 on 11-18 (reopened), resolved 11-19 09:00 (on time), rated 4
# on 11-20 (closed). Now is 12-03 10:00: H's resolution deadline (12-05) has not passed.
EXPECTED = {
    "population": "ABCFGHJK",  # D withdrawn before any answer, E merged: not counted
    "response_counted": "ABCFGHJK",  # C never answered, its deadline passed
    "responded_on_time": "AFGHJK",  # B answered late
    "resolution_counted": "ABCFGJK",  # H not yet due; B reopened but past due
    "resolved_on_time": "AFK",  # G resolved late
    "solved": "AFGK",  # B reopened, J withdrawn
    "rated": "ABFIK",  # I: received in October, rated in November; K twice
    "satisfied": "AIK",  # A 5, I 4, K 4 (its 1 is not)
    "resolved_in_period": "ABFGIK",  # B resolved once, then reopened: still resolved in it
}
# On the page: ratings are counted one by one (K's two), requests once.
PAGE_NUMBERS = {"response": (6, 8), "on_time": (3, 7), "resolution": (4, 8),
                "satisfaction": (3, 6), "rating_rate": (6, 6)}
FIGURES = {"response": ("responded_on_time", "response_counted"),
           "on_time": ("resolved_on_time", "resolution_counted"),
           "resolution": ("solved", "population"),
           "satisfaction": ("satisfied", "rated"),
           "rating_rate": ("rated", "resolved_in_period")}
LINK = re.compile(r'<a href="([^"]+)" data-figure="([a-z_]+)" data-requests="(\d+)">')


@pytest.fixture
def director(app, db, november):
    made = november["requests"]
    staff = november["staff"]
    owner = made["A"].owner
    with app.app_context():
        made["K"] = s.submit(db, owner, category=november["categories"]["repair"],
                             description="诉求K", building=owner.building, location="",
                             urgent=False, many_households=False, idempotency_key="k" * 12,
                             now=at(16, 9))
        s.transition(db, made["K"], s.ACCEPTED, staff, now=at(16, 10))
        s.transition(db, made["K"], s.RESOLVED, staff, now=at(17, 9))
        s.rate(db, made["K"], owner, Level.VERY_DISSATISFIED, None, now=at(18, 9))
        s.transition(db, made["K"], s.RESOLVED, staff, now=at(19, 9))
        s.rate(db, made["K"], owner, Level.SATISFIED, None, now=at(20, 9))
    db.commit()
    client = app.test_client()
    sign_in(client, november["director"])
    client.refs = {made[name].ref: name for name in made}
    return client


def _listed(client, link: str) -> tuple[str, int]:
    """The requests the queue lists at ``link``, as letters, and the count it says."""
    response = client.get(markup.unescape(link), headers={"Accept-Language": "en"})
    assert response.status_code == 200, link
    page = response.get_data(as_text=True)
    assert "flash-error" not in page, link  # every filter taken, nothing said
    refs = re.findall(r'name="refs" value="([^"]+)"', page)
    said = re.search(r"<p>(\d+) request\(s\)</p>", page) or re.search(r"共 (\d+) 件", page)
    return "".join(sorted(client.refs[ref] for ref in refs)), int(said.group(1))


def _card(page: str, key: str) -> str:
    return re.search(rf'<div class="figure-card" id="rate-{key}".*?</div>', page, re.S)[0]


def test_each_rates_numerator_and_denominator_lists_exactly_its_requests(director):
    page = director.get("/staff/figures?month=2026-11").get_data(as_text=True)
    for key, (numerator, denominator) in FIGURES.items():
        card = _card(page, key)
        assert re.search(rf'data-numerator="{PAGE_NUMBERS[key][0]}" '
                         rf'data-denominator="{PAGE_NUMBERS[key][1]}"', card), key
        links = LINK.findall(card)
        assert [which for _, which, _ in links] == [numerator, denominator], key
        for (link, which, count), shown in zip(links, PAGE_NUMBERS[key], strict=True):
            listed, said = _listed(director, link)
            assert listed == EXPECTED[which], (key, which)
            assert said == int(count) == len(listed), (key, which)
            # the link's count is the page's number, but for ratings: K's two are one request
            assert shown == int(count) + (which == "rated"), (key, which)
    rated = _card(page, "satisfaction")
    assert "(from 5 requests)" in re.sub(r"\s+", " ", rated) or "（来自 5 件诉求）" in rated
    population = re.search(r'<a href="([^"]+)" data-figure="population" data-requests="8">',
                           page)
    assert _listed(director, population[1])[0] == EXPECTED["population"]


def test_every_breakdown_cell_lists_its_share_of_the_requests(director):
    page = director.get("/staff/figures?month=2026-11").get_data(as_text=True)
    tables = re.findall(r'<table class="breakdown">.*?</table>', page, re.S)
    assert len(tables) == 5  # category, building, team, staff member, channel
    for table in tables:
        union: dict = {}
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S):
            found = {}
            for link, which, count in LINK.findall(row):
                listed, said = _listed(director, link)
                assert said == int(count) == len(listed), (which, link)
                assert set(listed) <= set(EXPECTED[which]), (which, link)
                assert found.setdefault(which, listed) == listed  # population twice
            for which, listed in found.items():
                union[which] = union.get(which, "") + listed
        # every row has its link, and together the rows are the whole figure, once each
        for which, letters in union.items():
            assert "".join(sorted(letters)) == EXPECTED[which], (which, table[:80])
    # the dispute row by hand: C (never answered) and J (answered, then withdrawn)
    dispute = re.search(r"<tr><th scope=\"row\">邻里纠纷.*?</tr>", page, re.S)[0]
    links = {which: link for link, which, _ in LINK.findall(dispute)}
    assert _listed(director, links["population"])[0] == "CJ"
    assert _listed(director, links["responded_on_time"])[0] == "J"


def test_the_links_keep_the_pages_narrowing(director, november):
    dispute = november["categories"]["dispute"].id
    page = director.get(f"/staff/figures?month=2026-11&category={dispute}").get_data(
        as_text=True)
    link, _which, count = LINK.findall(_card(page, "response"))[1]
    assert f"category={dispute}" in link
    assert _listed(director, link) == ("CJ", 2) and count == "2"


def test_the_queue_filters_page_by_key_and_keep_in_the_address(director):
    link = "/staff/queue?status=all&figure=population&figure_from=2026-11-01" \
           "&figure_to=2026-11-30&received_from=2026-11-06&received_to=2026-11-16"
    assert _listed(director, link) == ("CFJK", 4)  # H came on the 28th
    html = director.get(link).get_data(as_text=True)
    assert 'value="2026-11-06"' in html and 'value="population" selected' in html
    # the download and the bulk actions keep the filters too
    assert "figure=population" in re.search(r'href="(/staff/queue\.csv[^"]*)"', html)[1]


@pytest.mark.parametrize(("query", "said"), [
    ("figure=happiness", "There is no figure “happiness”"),
    ("figure=solved&figure_from=2026-11-31", "“2026-11-31” is not a date"),
    ("received_to=11/30", "“11/30” is not a date"),
    ("received_from=2026-11-10&received_to=2026-11-01", "The last day received comes before"),
    ("figure=rated&figure_from=2026-11-10&figure_to=2026-11-01", "counts the figure on its "
                                                                 "first day only"),
    ("figure=" + "x" * 500, "There is no figure"),
    ("received_from=99999-01-01", "is not a date"),
])
def test_values_the_queue_does_not_take_are_said_on_the_page(director, query, said):
    response = director.get(f"/staff/queue?status=all&{query}",
                            headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert said in markup.unescape(response.get_data(as_text=True))



def test_the_boards_month_figures_are_the_figures_pages(app, db, director, november):
    november["clock"].moment = at(30, 20)
    data = director.get("/staff/figures.json?month=2026-11").get_json()["requests"]
    with app.test_request_context():
        from portal.service_requests.board import load

        board = load(at(30, 20))
    rates = data["rates"]
    assert board["received"] == data["population"] == 8  # not D (withdrawn), not E (merged)
    assert board["resolved"] == data["resolved_in_period"] == 6  # B and K reopened: still
    assert board["ratings"] == rates["satisfaction"]["denominator"] == 6  # K's two
    assert board["satisfaction"] == rates["satisfaction"]["value"] == 0.5
    assert board["median_response_minutes"] == data["times"]["response"]["median"]


def test_a_figure_pages_on_by_number_and_by_key_keeping_its_filters(app, db, director,
                                                                     november):
    from portal.service_requests.models import ServiceRequest
    from portal.web.pagination import _encode

    owner = november["requests"]["A"].owner
    with app.app_context():
        for day in range(1, 31):
            s.submit(db, owner, category=november["categories"]["parking"], description="x",
                     building="3号楼", location="", urgent=False, many_households=False,
                     idempotency_key=f"page-{day:02d}-key", now=at(day, 15))
    db.commit()
    link = "/staff/queue?status=all&figure=population&figure_from=2026-11-01" \
           "&figure_to=2026-11-30&building=3号楼"
    html = director.get(link).get_data(as_text=True)
    first = re.findall(r'name="refs" value="([^"]+)"', html)
    assert len(first) == 25
    pager = markup.unescape(re.search(r'href="([^"]+)" rel="next"', html)[1])
    assert "figure=population" in pager and "figure_from=2026-11-01" in pager
    second = re.findall(r'name="refs" value="([^"]+)"',
                        director.get(pager).get_data(as_text=True))
    last = db.scalar(select(ServiceRequest).where(ServiceRequest.ref == first[-1]))
    after = _encode((last.priority, last.created_at, last.id))
    by_key = re.findall(r'name="refs" value="([^"]+)"',
                        director.get(f"{link}&after={after}").get_data(as_text=True))
    assert second == by_key and not set(first) & set(second)
    # A B C F G H J K live in 3号楼 (the neighbour's B in 5号楼), and the thirty new ones
    assert len(first) + len(second) == 30 + len(EXPECTED["population"]) - 1


def test_every_figure_name_has_a_label_and_every_rate_its_two_names():
    from portal.figures.requests import FIGURES as PAGE_FIGURES
    from portal.figures.requests import RATES

    assert set(s.FIGURE_LABELS) == set(s.FIGURE_NAMES) == set(EXPECTED)
    assert PAGE_FIGURES == FIGURES and set(PAGE_FIGURES) == set(RATES)
