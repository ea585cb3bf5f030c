"""Issue 17: what residents are told says what happened in words. The owner reads the first
words of their own description; a follower reads only the public summary (category and
building), never the owner's description."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.notifications.models import Notification
from portal.notifications.service import excerpt, render_text
from portal.service_requests import service as s
from portal.web.i18n import format_deadline

DESCRIPTION = "3号楼楼道灯坏了，晚上老人上下楼看不见，电话13800138000找我。"


def _texts(db, user, language="zh_Hans_CN"):
    rows = db.scalars(select(Notification).where(Notification.user_id == user.id)
                      .order_by(Notification.id)).all()
    with force_locale(language):
        return [render_text(row.message, row.params) for row in rows]


def test_the_excerpt():
    assert excerpt("  楼道灯\n坏了  ") == "楼道灯 坏了"
    assert excerpt("一" * 25) == "一" * 20 + "…"
    assert excerpt("一" * 19 + "，后面还有") == "一" * 19 + "…"  # no comma before the dots
    assert excerpt("打13800138000找我") == "打138…找我"  # a phone or ID number never travels
    assert excerpt(None) == ""


def test_owner_in_words_followers_by_the_public_summary(app, db, make_user, file_request):
    owner = make_user(Role.RESIDENT)
    follower = make_user(Role.RESIDENT, building="9号楼")
    staff = make_user(Role.GRID_WORKER)
    with app.test_request_context():
        item = file_request(owner, building="3号楼", description=DESCRIPTION)
        s.follow(db, follower, item)
        s.transition(db, item, s.ACCEPTED, staff)
        s.reply(db, item, staff, "明天上午师傅上门。", public=True)
        s.transition(db, item, s.RESOLVED, staff)
        db.commit()
        category = item.category
        assert _texts(db, owner) == [
            "您反映的“3号楼楼道灯坏了，晚上老人上下楼看不见…”已受理，争取在"
            f"{format_deadline(item.resolve_by)}办结。",
            "社区对您反映的“3号楼楼道灯坏了，晚上老人上下楼看不见…”有了新回复。",
            "您反映的“3号楼楼道灯坏了，晚上老人上下楼看不见…”已办结，请评价。"]
        followed = _texts(db, follower)
        assert followed == [f"您关注的诉求（3号楼·{category.name_zh}）已受理。",
                            f"社区对您关注的诉求（3号楼·{category.name_zh}）有了新回复。",
                            f"您关注的诉求（3号楼·{category.name_zh}）已办结。"]
        assert _texts(db, follower, "en")[0] == (
            f"A request you follow ({category.name_en}, Building 3) has been accepted.")
        assert _texts(db, owner, "en")[2].startswith("Your request “3号楼楼道灯坏了")
    stored = db.scalars(select(Notification.params).where(
        Notification.user_id == follower.id)).all()
    assert not [params for params in stored if "楼道灯" in str(params)]  # not even stored
    assert not [text for text in _texts_all(app, db, owner, follower) if "13800138000" in text]


def _texts_all(app, db, *users):
    with app.test_request_context():
        return [text for user in users for text in _texts(db, user)]


def test_a_merge_tells_each_in_their_own_words(app, db, make_user, file_request, staff_client):
    owner, neighbour, follower = (make_user(Role.RESIDENT) for _ in range(3))
    staff = make_user(Role.DIRECTOR)
    with app.test_request_context():
        first = file_request(neighbour, description="楼下每天晚上有人打麻将到半夜")
        duplicate = file_request(owner, description="楼下麻将声音太吵了睡不着觉")
        s.follow(db, follower, duplicate)
        s.merge(db, duplicate, first, staff)
        db.commit()
        assert _texts(db, owner) == [
            f"您反映的“楼下麻将声音太吵了睡不着觉”已合并到 {first.ref}，您会继续收到它的进展。"]
        (told,) = _texts(db, follower)
        assert "麻将" not in told and first.ref in told and told.startswith("您关注的诉求（")


def test_the_inbox_shows_the_words(app, db, make_user, file_request):
    from tests.conftest import sign_in

    owner = make_user(Role.RESIDENT)
    with app.test_request_context():
        item = file_request(owner, description="电梯停在三楼不动了")
        s.transition(db, item, s.ACCEPTED, make_user(Role.GRID_WORKER))
        db.commit()
    client = app.test_client()
    sign_in(client, owner)
    assert "您反映的“电梯停在三楼不动了”已受理，争取在" in client.get("/notifications").get_data(
        as_text=True)
