"""SQL statements of /staff/figures stay the same as the data grows: a month, a narrowed
month, a custom range, the JSON and the live monthly report, over the hand-built November
and then over a year of bulk requests. Counted, never timed (scripts/bench_figures.py
measures time)."""

from __future__ import annotations

from portal.accounts.roles import Role
from portal.service_requests import demo

PAGES = [
    "/staff/figures",
    "/staff/figures?month=2026-11",
    "/staff/figures?month=2026-11&building=3号楼",
    "/staff/figures?month=2026-11&category={repair}",
    "/staff/figures?month=2026-11&role=grid_worker",
    "/staff/figures?month=2026-11&assignee={staff}",
    "/staff/figures?from=2026-01-01&to=2026-11-30",
    "/staff/figures.json?month=2026-11",
    "/staff/figures/report?month=2026-11",
]


def _statements(client, count_queries, path):
    client.get(path)  # caches and the session are warm after this
    with count_queries() as log:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return log.count


def test_figures_keep_their_statement_count_as_the_data_grows(app, db, november,
                                                              staff_client, count_queries):
    director = staff_client(Role.DIRECTOR)
    pages = [path.format(repair=november["categories"]["repair"].id,
                         staff=november["staff"].id) for path in PAGES]

    def grow(total):
        with app.app_context():
            demo.generate(db, total)
        db.commit()

    grow(40)
    small = {path: _statements(director, count_queries, path) for path in pages}
    grow(1200)
    large = {path: _statements(director, count_queries, path) for path in pages}
    assert large == small
    assert max(small.values()) <= 40, small
