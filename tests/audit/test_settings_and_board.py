"""Settings (request categories and templates, aid types, the holiday table, the API's extra
questions) and the board's profiles: every change is recorded."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.api.models import ServiceQuestion
from portal.board.models import BoardProfile
from portal.service_requests.models import ReplyTemplate, RequestCategory
from tests.aid.test_staff_settings import NEW_TYPE
from tests.audit.conftest import line
from tests.conftest import csrf_token


def test_request_settings_are_recorded(staff_client, categories, db):
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/requests/settings")
    assert director.post("/staff/requests/settings/categories", data={
        "new-csrf_token": token, "new-name_zh": "宠物", "new-name_en": "Pets",
        "new-role": "grid_worker", "new-position": "200", "new-active": "y"}).status_code == 303
    pets = db.scalar(select(RequestCategory).where(RequestCategory.name_en == "Pets"))
    line(db, "settings", "category_added", director.user, f"#{pets.id} 宠物")
    assert director.post(f"/staff/requests/settings/categories/{pets.id}", data={
        f"c{pets.id}-csrf_token": token, f"c{pets.id}-name_zh": "宠物扰民",
        f"c{pets.id}-name_en": "Pets", f"c{pets.id}-role": "governance",
        f"c{pets.id}-position": "5"}).status_code == 303
    assert line(db, "settings", "category_edited", director.user,
                f"#{pets.id} 宠物扰民").detail == "governance, inactive"

    assert director.post("/staff/requests/settings/templates", data={
        "tpl-csrf_token": token, "tpl-title": "已上门", "tpl-body": "网格员已上门查看。"}
                         ).status_code == 303
    template = db.scalar(select(ReplyTemplate).where(ReplyTemplate.title == "已上门"))
    line(db, "settings", "template_added", director.user, f"#{template.id} 已上门")
    assert director.post(f"/staff/requests/settings/templates/{template.id}", data={
        f"t{template.id}-csrf_token": token, f"t{template.id}-title": "已上门查看",
        f"t{template.id}-body": "网格员已上门。"}).status_code == 303
    line(db, "settings", "template_edited", director.user, f"#{template.id} 已上门查看")


def test_aid_settings_are_recorded(staff_client, types, db):
    officer = staff_client(Role.CIVIL_AFFAIRS)
    token = csrf_token(officer, "/staff/aid/types/new")
    assert officer.post("/staff/aid/types/new", data={**NEW_TYPE, "csrf_token": token}
                        ).status_code == 303
    assert line(db, "settings", "aid_type_added", officer.user, "medical").detail == "医疗救助"
    assert officer.post("/staff/aid/types/medical", data={
        **NEW_TYPE, "name_zh": "大病救助", "csrf_token": token}).status_code == 303
    assert line(db, "settings", "aid_type_edited", officer.user,
                "medical").detail == "大病救助"

    assert officer.post("/staff/aid/holidays", data={
        "csrf_token": token, "day": "2031-01-02", "note": "元旦"}).status_code == 303
    assert line(db, "settings", "holiday_saved", officer.user,
                "2031-01-02").detail == "holiday 元旦"
    assert officer.post("/staff/aid/holidays/2031-01-02/remove",
                        data={"csrf_token": token}).status_code == 303
    line(db, "settings", "holiday_removed", officer.user, "2031-01-02")


def test_api_questions_are_recorded(staff_client, categories, db):
    deputy = staff_client(Role.DEPUTY_DIRECTOR)
    token = csrf_token(deputy, "/staff/api-keys/questions")
    form = {"csrf_token": token, "category": str(categories["hazard"].id),
            "prompt_zh": "是否有人有危险？", "prompt_en": "Is anyone in danger?",
            "datatype": "singlevaluelist", "options": "是\n否", "required": "y",
            "position": "1", "active": "y"}
    assert deputy.post("/staff/api-keys/questions", data=form).status_code == 303
    question = db.scalar(select(ServiceQuestion))
    assert line(db, "settings", "api_question_added", deputy.user,
                f"#{question.id} 是否有人有危险？").detail == "安全隐患"
    assert deputy.post(f"/staff/api-keys/questions/{question.id}",
                       data={**form, "prompt_zh": "有人受伤吗？"}).status_code == 303
    line(db, "settings", "api_question_edited", deputy.user, f"#{question.id} 有人受伤吗？")


def test_board_profiles_are_recorded(staff_client, db):
    admin = staff_client(Role.ADMIN)
    token = csrf_token(admin, "/staff/board")
    assert admin.post("/staff/board", data={
        "csrf_token": token, "name": "大厅", "slug": "lobby", "sections": ["notices"]}
                      ).status_code == 303
    line(db, "board", "profile_added", admin.user, "lobby")
    profile = db.scalar(select(BoardProfile))
    assert admin.post(f"/staff/board/{profile.id}", data={
        "csrf_token": token, "name": "一楼大厅", "slug": "lobby"}).status_code == 303
    assert line(db, "board", "profile_edited", admin.user, "lobby").detail == "一楼大厅"
    assert admin.post(f"/staff/board/{profile.id}/delete",
                      data={"csrf_token": token}).status_code == 303
    line(db, "board", "profile_deleted", admin.user, "lobby")
