"""SQL statements per page stay the same as the data grows: the queue with each filter, a text
search and a deep page, the staff home, a resident's list and the board's 304. Counted, never
timed (scripts/sql_timing.py and scripts/bench.py measure time)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.service_requests import demo, service

QUEUE_PAGES = [
    "/staff/queue",
    "/staff/queue?status=submitted&priority=1",
    "/staff/queue?status=all&category={category}",
    "/staff/queue?category={category}",
    "/staff/queue?team=governance&status=all",
    "/staff/queue?assignee=unassigned",
    "/staff/queue?assignee=mine&status=all",
    "/staff/queue?building=3号楼&status=all",
    "/staff/queue?overdue=1",
    "/staff/queue?channel=phone",
    "/staff/queue?channel=hotline&status=all",
    "/staff/queue?status=with_street",
    "/staff/queue?q=楼道",
    "/staff/queue?q=楼道&status=all&page=2",
    "/staff/queue?status=all&page=3",
    "/staff/queue?status=all&page=999",
    "/staff/queue?priority=P1",
    "/staff/queue?status=all&received_from=2026-01-01&received_to=2026-12-31",
    "/staff/queue?status=all&figure=responded_on_time&figure_from=2000-01-01",
    "/staff/queue?status=all&figure=resolution_counted&building=3号楼&figure_from=2000-01-01",
    "/staff/queue?status=all&figure=satisfied&figure_from=2000-01-01",
    "/staff/queue?status=all&figure=rated&category={category}&figure_from=2000-01-01",
    "/staff/queue?status=all&figure=resolved_in_period&team=governance&figure_from=2000-01-01",
]


@pytest.fixture
def grow(app, db, categories, make_user):
    """grow(total): bulk demo requests (with timelines and search documents) up to total."""
    make_user(Role.GRID_WORKER)
    make_user(Role.GOVERNANCE)

    def build(total):
        with app.app_context():
            demo.generate(db, total)
        db.commit()

    return build


def _statements(client, count_queries, path, **headers):
    client.get(path, headers=headers)  # caches and the session are warm after this
    with count_queries() as log:
        response = client.get(path, headers=headers)
    assert response.status_code in (200, 304), (path, response.status_code)
    return log.count, response


def _next_link(html: str) -> str:
    match = re.search(r'href="([^"]+)" rel="next"', html)
    assert match, "no Next link"
    return match.group(1).replace("&amp;", "&")


def test_queue_pages_keep_their_statement_count_as_the_data_grows(
        app, db, staff_client, grow, categories, count_queries, resident, file_request):
    director = staff_client(Role.DIRECTOR)
    pages = [path.format(category=categories["repair"].id) for path in QUEUE_PAGES]
    # something on every page of the small data set too: an empty page loads no rows
    late = file_request(resident, "repair", description="楼道的灯不亮", urgent=True,
                        many_households=True, now=utcnow() - timedelta(days=30))
    file_request(resident, "dispute")
    with app.app_context():
        service.assign(db, late, director.user, director.user)
    db.commit()
    grow(60)
    small = {path: _statements(director, count_queries, path)[0] for path in pages}
    # a page reached by Next past the numbered pages (keyset) costs the same
    html = director.get("/staff/queue?status=all&page=2").get_data(as_text=True)
    keyset = _next_link(html)
    small[keyset] = _statements(director, count_queries, keyset)[0]
    grow(1500)
    for path, count in small.items():
        large = _statements(director, count_queries, path)[0]
        # 12: the bulk bar's reply templates and the "back with you" list are one each
        assert large == count <= 12, (path, count, large)


def test_deep_pages_go_on_by_key_past_the_numbered_pages(staff_client, grow, count_queries):
    director = staff_client(Role.DIRECTOR, locale="en")
    grow(1100)
    html = director.get("/staff/queue?status=all&page=40").get_data(as_text=True)
    assert "More than 1000 requests" in html
    deep = _next_link(html)
    assert "after=" in deep
    seen = re.findall(r'name="refs" value="([^"]+)"', html)
    html = director.get(deep).get_data(as_text=True)
    further = re.findall(r'name="refs" value="([^"]+)"', html)
    assert len(further) == 25 and not set(seen) & set(further)
    back = re.search(r'href="([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    assert "before=" in back
    assert re.findall(r'name="refs" value="([^"]+)"', director.get(back).get_data(
        as_text=True)) == seen
    count, _response = _statements(director, count_queries, deep)
    assert count <= 10


@pytest.mark.parametrize(("query", "said"), [
    ("priority=P1", "There is no priority “P1”"),
    ("page=99", "There is no page 99"),
    ("page=two", "“two” is not a page number"),
    ("after=12.x", "That link to a page of the list no longer works"),
    ("status=lost", "There is no status “lost”"),
    ("category=999", "There is no category “999”"),
    ("team=mayor", "There is no team “mayor”"),
    ("assignee=nobody", "“nobody” is not a member of staff"),
    ("q=，，", "has no letters or digits to search for"),
    ("received_from=2026-13-01", "“2026-13-01” is not a date such as 2026-11-01"),
    ("received_from=2026-11-10&received_to=2026-11-01", "The last day received comes before"),
    ("figure=happiness", "There is no figure “happiness”"),
    ("figure=solved&figure_from=x", "“x” is not a date"),
    ("figure=solved&figure_from=2026-11-10&figure_to=2026-11-01",
     "The figure's last day comes before its first"),
])
def test_values_no_filter_takes_are_said_on_the_page(staff_client, grow, query, said):
    director = staff_client(Role.DIRECTOR, locale="en")
    grow(30)
    response = director.get(f"/staff/queue?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert said in response.get_data(as_text=True)


def test_a_deep_page_past_the_counted_ones_is_said_and_shows_the_last_numbered(
        staff_client, grow):
    director = staff_client(Role.DIRECTOR, locale="en")
    grow(1100)
    html = director.get("/staff/queue?status=all&page=2000",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page numbers go up to 40" in html


def test_text_search_finds_two_character_words_in_the_queue(staff_client, resident,
                                                              file_request):
    director = staff_client(Role.DIRECTOR)
    noise = file_request(resident, "noise", description="晚上广场舞的噪音太大")
    hall = file_request(resident, "clutter", description="三楼楼道堆了纸箱")
    html = director.get("/staff/queue?q=噪音").get_data(as_text=True)
    assert noise.ref in html and hall.ref not in html
    html = director.get("/staff/queue?q=楼道").get_data(as_text=True)
    assert hall.ref in html and noise.ref not in html


def test_staff_home_counts_keep_their_statement_count(staff_client, grow, count_queries):
    director = staff_client(Role.DIRECTOR)
    grow(60)
    small, _response = _statements(director, count_queries, "/staff/")
    grow(1500)
    large, response = _statements(director, count_queries, "/staff/")
    assert large == small, (small, large)
    # Every area's panel, each in one statement; the alerts read once; the bell's count
    # comes with the user.
    assert small <= 10


def test_staff_home_counts_stop_at_the_limit(app, db, staff_client, resident, file_request,
                                             monkeypatch):
    from portal.service_requests.service import figures

    director = staff_client(Role.DIRECTOR)
    for _ in range(5):
        file_request(resident, now=utcnow() - timedelta(days=30))
    monkeypatch.setattr(figures, "PANEL_COUNT_LIMIT", 3)
    with app.app_context():
        counts = figures.panel_counts(db, director.user, utcnow())
    assert counts["overdue"] == 3 and counts["capped"] == {"new", "overdue"}
    html = director.get("/staff/").get_data(as_text=True)
    assert '<span class="count">3+</span>' in html


def test_a_residents_list_keeps_its_statement_count(app, db, grow, resident, resident_client,
                                                    file_request, count_queries):
    file_request(resident)
    grow(60)
    small, _response = _statements(resident_client, count_queries, "/requests/")
    grow(1500)
    file_request(resident, "noise")
    large, _response = _statements(resident_client, count_queries, "/requests/")
    assert large == small <= 10


def test_the_boards_304_stays_at_two_statements(client, grow, count_queries):
    grow(60)
    etag = client.get("/board/content").headers["ETag"]
    small, response = _statements(client, count_queries, "/board/content",
                                  **{"If-None-Match": etag})
    assert response.status_code == 304
    grow(1500)
    etag = client.get("/board/content").headers["ETag"]
    large, response = _statements(client, count_queries, "/board/content",
                                  **{"If-None-Match": etag})
    assert response.status_code == 304
    assert large == small <= 2


def test_a_requests_staff_page_with_its_duplicates_keeps_its_statement_count(
        staff_client, grow, count_queries, resident, file_request, db):
    director = staff_client(Role.DIRECTOR)
    item = file_request(resident, "repair", building="3号楼", description="楼道的灯不亮")
    grow(60)
    path = f"/staff/requests/{item.ref}"
    small, _response = _statements(director, count_queries, path)
    grow(1500)
    large, response = _statements(director, count_queries, path)
    assert large == small, (small, large)
    assert 'id="h-duplicates"' in response.get_data(as_text=True)
