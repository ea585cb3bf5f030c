"""The lobby board during a check-in: households safe and needing help, never who or where;
a new answer changes the ETag, an unchanged board is a 304 in the same two statements."""

from __future__ import annotations

from portal.accounts.roles import Role
from tests.conftest import csrf_token, sign_in

HX = {"HX-Request": "true"}


def answer(app, user, checkin, **fields):
    client = app.test_client()
    sign_in(client, user)
    token = csrf_token(client, f"/checkin/{checkin.id}")
    response = client.post(f"/checkin/{checkin.id}", data={"csrf_token": token, **fields})
    assert response.status_code == 303


def test_the_board_shows_totals_and_no_names(app, client, db, make_user, open_checkin,
                                              count_queries):
    people = [make_user(Role.RESIDENT, name=f"欧阳{n}号", phone=f"1391234{n:04d}",
                        building="9号楼", unit="4单元", room=f"{1700 + n // 2}")
              for n in range(6)]  # three households of two
    assert "平安报" not in client.get("/board/content", headers=HX).get_data(as_text=True)
    checkin = open_checkin()
    answer(app, people[0], checkin, answer="safe")
    answer(app, people[1], checkin, answer="safe")  # the same household: one
    answer(app, people[2], checkin, answer="help", kind="move", people="2", note="欧阳家进水")
    answer(app, people[3], checkin, answer="safe")  # asked for help and safe: needs help
    first = client.get("/board/content", headers=HX)
    html = first.get_data(as_text=True)
    assert "已报平安 1 户，需要帮助 1 户" in html
    for private in ("欧阳", "13912340", "1700", "1701", "欧阳家进水", "转移"):
        assert private not in html, private
    with count_queries() as log:
        again = client.get("/board/content", headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and log.count <= 2
    answer(app, people[4], checkin, answer="safe")
    changed = client.get("/board/content", headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert "已报平安 2 户，需要帮助 1 户" in changed.get_data(as_text=True)
    # A building's screen counts that building's households.
    from tests.board.test_board import add_profile

    add_profile(db, "b5", "五号楼大堂", building="5号楼")
    assert "已报平安 0 户，需要帮助 0 户" in client.get("/board/content?profile=b5", headers=HX
                                                      ).get_data(as_text=True)
