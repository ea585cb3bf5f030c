"""Minutes through the real pages: drafting, publishing, versions, resolutions, files."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import UserGrant
from portal.accounts.roles import Permission, Role
from portal.clock import today, utcnow
from portal.files.models import StoredFile
from portal.minutes.models import (
    Meeting,
    MeetingAttachment,
    MeetingVersion,
    Resolution,
    ResolutionUpdate,
)
from portal.registry import registry
from tests.conftest import csrf_token
from tests.minutes.helpers import (
    MEETING,
    PAYLOADS,
    add_resolution,
    add_update,
    create_meeting,
    dangerous_markup,
    pdf_upload,
    publish,
    published_meeting,
)


def resolution_ids(db, meeting_id):
    return list(db.scalars(select(Resolution.id).where(Resolution.meeting_id == meeting_id)
                           .order_by(Resolution.id)))


def test_draft_is_hidden_until_published_then_anyone_reads_it(staff_client, client, db):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    meeting_id = create_meeting(staff)
    add_resolution(staff, meeting_id, "重新划停车线")
    add_resolution(staff, meeting_id, "绿化改造", due_on="")
    assert client.get(f"/minutes/{meeting_id}").status_code == 404
    assert MEETING["title"] not in client.get("/minutes/").get_data(as_text=True)

    publish(staff, meeting_id)
    page = client.get(f"/minutes/{meeting_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert MEETING["title"] in html and "居民议事会" in html
    assert "重新划停车线" in html and "绿化改造" in html
    assert html.count('<progress') == 2 and "未开始" in html
    assert "<dt>发布日期</dt>" in html and "<dt>会议类型</dt>" in html
    assert MEETING["title"] in client.get("/minutes/").get_data(as_text=True)


def test_who_may_publish_minutes(staff_client, resident_client, make_user, db):
    assert resident_client.get("/staff/minutes").status_code == 403
    assert staff_client(Role.GRID_WORKER).get("/staff/minutes").status_code == 403
    assert staff_client(Role.DIRECTOR).get("/staff/minutes").status_code == 200
    allowed = staff_client(Role.CULTURE)
    db.add(UserGrant(user_id=allowed.user.id, permission=Permission.PUBLISH_MINUTES.value))
    db.commit()
    assert allowed.get("/staff/minutes").status_code == 200
    assert allowed.get("/staff/minutes/new").status_code == 200


def test_submitting_the_same_form_twice_makes_one_meeting(staff_client, db):
    staff = staff_client()
    first = create_meeting(staff, form_key="same-key")
    second = create_meeting(staff, form_key="same-key")
    assert first == second
    assert db.scalar(select(func.count()).select_from(Meeting)) == 1
    add_resolution(staff, first, "一项决议", key="r-same")
    add_resolution(staff, first, "一项决议", key="r-same")
    assert db.scalar(select(func.count()).select_from(Resolution)) == 1


def test_a_form_with_mistakes_keeps_the_values_and_says_what_to_fix(staff_client):
    staff = staff_client()
    token = csrf_token(staff, "/staff/minutes/new")
    response = staff.post("/staff/minutes/new", data={
        **MEETING, "csrf_token": token, "form_key": "k1", "attendance": "many", "title": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#title"' in html and 'href="#attendance"' in html
    assert "社区会议室" in html and "大家同意重新划线。" in html


@pytest.mark.parametrize("field", ["agenda", "minutes"])
@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_markdown_fields_never_carry_script(staff_client, client, field, payload):
    staff = staff_client()
    meeting_id = published_meeting(staff, **{field: f"正文\n\n{PAYLOADS[payload]}\n\n结束"})
    for path in (f"/minutes/{meeting_id}", f"/staff/minutes/{meeting_id}"):
        html = (client if path.startswith("/minutes") else staff).get(path).get_data(as_text=True)
        # The field itself ("正文" alone is on every page, in the skip link): rendered for
        # residents, in its text box for staff.
        shown = "<p>正文</p>" if path.startswith("/minutes") else rf'name="{field}"[^>]*>\s*正文'
        assert re.search(shown, html), path
        assert dangerous_markup(html) == [], path
    # An earlier version is shown through Markdown too.
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    staff.post(f"/staff/minutes/{meeting_id}", data={
        **MEETING, field: "新的内容", "csrf_token": token, "form_key": "x", "version": "1"})
    for path in (f"/minutes/{meeting_id}/versions/1", f"/minutes/{meeting_id}/versions"):
        html = client.get(path).get_data(as_text=True)
        assert dangerous_markup(html) == [], path


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_resolution_texts_and_updates_are_shown_as_text(staff_client, client, db, payload):
    staff = staff_client()
    meeting_id = published_meeting(staff, resolutions=[f"决议 {PAYLOADS[payload]}"])
    [resolution_id] = resolution_ids(db, meeting_id)
    add_update(staff, meeting_id, resolution_id, 30, note=f"进展 {PAYLOADS[payload]}")
    for path in (f"/minutes/{meeting_id}", "/minutes/resolutions"):
        html = client.get(path).get_data(as_text=True)
        assert "决议 " in html and dangerous_markup(html) == [], path


def test_editing_published_minutes_keeps_every_earlier_version(staff_client, client, db):
    staff = staff_client()
    meeting_id = published_meeting(staff, minutes="第一行\n原来的第二行\n第三行")
    detail = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert "更新于" not in detail

    for number, text in enumerate(["第一行\n改过的第二行\n第三行", "第一行\n再改的第二行"], 1):
        token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
        response = staff.post(f"/staff/minutes/{meeting_id}", data={
            **MEETING, "minutes": text, "csrf_token": token, "form_key": "x",
            "version": str(number)})
        assert response.status_code == 303

    assert db.scalar(select(func.count()).select_from(MeetingVersion)) == 2
    detail = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert "更新于" in detail and "再改的第二行" in detail
    assert f"/minutes/{meeting_id}/versions/2" in detail  # "see what changed"

    first = client.get(f"/minutes/{meeting_id}/versions/1").get_data(as_text=True)
    assert "原来的第二行" in first
    assert re.search(r"<del>.*原来的第二行</del>", first)
    assert re.search(r"<ins>.*改过的第二行</ins>", first)
    second = client.get(f"/minutes/{meeting_id}/versions/2").get_data(as_text=True)
    assert re.search(r"<del>.*第三行</del>", second)
    listing = client.get(f"/minutes/{meeting_id}/versions").get_data(as_text=True)
    assert "第 1 版" in listing and "第 2 版" in listing
    assert client.get(f"/minutes/{meeting_id}/versions/3").status_code == 404


def test_a_stale_edit_is_refused_and_a_draft_edit_keeps_no_version(staff_client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    staff.post(f"/staff/minutes/{meeting_id}", data={
        **MEETING, "minutes": "草稿修改", "csrf_token": token, "form_key": "x", "version": "1"})
    assert db.scalar(select(func.count()).select_from(MeetingVersion)) == 0
    publish(staff, meeting_id)
    staff.post(f"/staff/minutes/{meeting_id}", data={
        **MEETING, "minutes": "发布后修改", "csrf_token": token, "form_key": "x", "version": "1"})
    response = staff.post(f"/staff/minutes/{meeting_id}", data={
        **MEETING, "minutes": "过时的修改", "csrf_token": token, "form_key": "x", "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html[html.index('class="error-summary"'):]
    assert "别人已保存" in summary[:summary.index("</div>")]  # the refusal, in the summary
    assert "过时的修改</textarea>" in html  # what they typed is still there
    assert db.scalar(select(Meeting.minutes)) == "发布后修改"


def test_progress_updates_after_publishing(staff_client, client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    add_resolution(staff, meeting_id, "重新划停车线")
    [resolution_id] = resolution_ids(db, meeting_id)
    response = add_update(staff, meeting_id, resolution_id, 10)
    assert response.status_code == 422  # not before publishing, and it says so
    assert re.search(r'class="flash flash-error">请先发布会议纪要',
                     response.get_data(as_text=True))
    assert db.scalar(select(func.count()).select_from(ResolutionUpdate)) == 0
    publish(staff, meeting_id)

    response = add_update(staff, meeting_id, resolution_id, 60, note="划线完成一半。")
    assert response.status_code == 303
    add_update(staff, meeting_id, resolution_id, 60, note="划线完成一半。")  # twice: one
    assert db.scalar(select(func.count()).select_from(ResolutionUpdate)) == 1
    detail = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert 'value="60"' in detail and "60%" in detail and "划线完成一半。" in detail
    assert '<span class="tag ">进行中</span>' in detail  # the resolution's own status
    overview = client.get("/minutes/resolutions").get_data(as_text=True)
    assert "重新划停车线" in overview and 'value="60"' in overview and "划线完成一半。" in overview

    add_update(staff, meeting_id, resolution_id, 80, status="done", note="全部完成。")
    detail = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert 'value="100"' in detail and "已完成" in detail
    assert "重新划停车线" not in client.get("/minutes/resolutions").get_data(as_text=True)

    bad = add_update(staff, meeting_id, resolution_id, 150, note="x", key="bad")
    assert bad.status_code == 422


def test_published_resolutions_cannot_be_removed(staff_client, db):
    staff = staff_client()
    meeting_id = published_meeting(staff, resolutions=["保留"])
    [resolution_id] = resolution_ids(db, meeting_id)
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    response = staff.post(f"/staff/minutes/{meeting_id}/resolutions/{resolution_id}/remove",
                          data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'class="flash flash-error">已发布的决议要留档', html)
    assert "<h1>三季度居民议事会</h1>" in html  # the meeting page, to carry on from
    assert db.scalar(select(func.count()).select_from(Resolution)) == 1


def test_a_draft_resolution_can_be_removed(staff_client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    add_resolution(staff, meeting_id, "写错了")
    [resolution_id] = resolution_ids(db, meeting_id)
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    response = staff.post(f"/staff/minutes/{meeting_id}/resolutions/{resolution_id}/remove",
                          data={"csrf_token": token})
    assert response.status_code == 303
    assert db.scalar(select(func.count()).select_from(Resolution)) == 0


def test_list_filters_by_type_and_year_and_searches(staff_client, client):
    staff = staff_client()
    published_meeting(staff, title="听证会甲", kind="hearing", held_on="2025-05-01",
                      minutes="讨论了电梯", resolutions=[])
    published_meeting(staff, title="议事会乙", kind="council", held_on="2026-03-01",
                      minutes="讨论了停车", resolutions=[])

    def titles(query):
        html = client.get("/minutes/" + query).get_data(as_text=True)
        return {title for title in ("听证会甲", "议事会乙") if title in html}

    assert titles("") == {"听证会甲", "议事会乙"}
    assert titles("?kind=hearing") == {"听证会甲"}
    assert titles("?year=2026") == {"议事会乙"}
    assert titles("?q=电梯") == {"听证会甲"}
    assert titles("?q=100%25") == set()
    assert titles("?year=abc&kind=nonsense") == {"听证会甲", "议事会乙"}
    html = client.get("/minutes/").get_data(as_text=True)
    assert html.index("议事会乙") < html.index("听证会甲")  # newest first
    partial = client.get("/minutes/?kind=hearing", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert 'id="meeting-list"' in partial.get_data(as_text=True)


def test_pdf_attachments_are_public_only_once_published(staff_client, client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    response = staff.post(f"/staff/minutes/{meeting_id}/attachments", data={
        "attachment-csrf_token": token, "attachment-files": [pdf_upload()]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    file_url = re.search(r'href="(/files/[^"]+)"',
                         staff.get(f"/staff/minutes/{meeting_id}").get_data(as_text=True))[1]
    assert client.get(file_url).status_code == 404
    assert staff.get(file_url).status_code == 200
    publish(staff, meeting_id)
    response = client.get(file_url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert file_url in client.get(f"/minutes/{meeting_id}").get_data(as_text=True)

    rejected = staff.post(f"/staff/minutes/{meeting_id}/attachments", data={
        "attachment-csrf_token": token,
        "attachment-files": [(io.BytesIO(b"not a pdf at all"), "x.pdf")]},
        content_type="multipart/form-data")
    assert rejected.status_code == 422
    assert 'id="attachment-files-error"' in rejected.get_data(as_text=True)


def attach(staff, meeting_id, files, kept=""):
    token = csrf_token(staff, f"/staff/minutes/{meeting_id}")
    return staff.post(f"/staff/minutes/{meeting_id}/attachments", data={
        "attachment-csrf_token": token, "attachment-files": files, "attachment-kept": kept},
        content_type="multipart/form-data")


def attached_names(db, meeting_id):
    return sorted(db.scalars(select(StoredFile.original_name).join(
        MeetingAttachment, MeetingAttachment.file_id == StoredFile.id)
        .where(MeetingAttachment.meeting_id == meeting_id)))


def test_several_pdfs_attach_at_once(staff_client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    response = attach(staff, meeting_id, [pdf_upload("议程.pdf"), pdf_upload("签到表.pdf")])
    assert response.status_code == 303
    assert attached_names(db, meeting_id) == ["签到表.pdf", "议程.pdf"]
    assert "已添加 2 个附件" in staff.get(f"/staff/minutes/{meeting_id}").get_data(as_text=True)


def test_a_refused_pdf_keeps_the_accepted_ones_for_the_next_try(staff_client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    failed = attach(staff, meeting_id, [pdf_upload("议程.pdf"),
                                        (io.BytesIO(b"not a pdf at all"), "坏的.pdf")])
    html = failed.get_data(as_text=True)
    assert failed.status_code == 422
    assert 'id="attachment-files-error"' in html and "<li>议程.pdf</li>" in html
    assert attached_names(db, meeting_id) == []  # nothing attached from a failed try
    kept = re.search(r'name="attachment-kept" type="hidden" value="([^"]+)"', html)[1]

    again = attach(staff, meeting_id, [pdf_upload("签到表.pdf")], kept=kept)
    assert again.status_code == 303
    assert attached_names(db, meeting_id) == ["签到表.pdf", "议程.pdf"]
    # a kept token is used once: sending it again attaches nothing more
    assert attach(staff, meeting_id, [], kept=kept).status_code == 422
    assert len(attached_names(db, meeting_id)) == 2


def test_someone_elses_kept_upload_is_ignored(staff_client, db):
    first, second = staff_client(), staff_client()
    meeting_id = create_meeting(first)
    failed = attach(first, meeting_id, [pdf_upload("a.pdf"), (io.BytesIO(b"junk"), "b.pdf")])
    kept = re.search(r'name="attachment-kept" type="hidden" value="([^"]+)"',
                     failed.get_data(as_text=True))[1]
    stolen = attach(second, meeting_id, [], kept=kept)
    assert stolen.status_code == 422
    assert "请选择要上传的 PDF 文件" in stolen.get_data(as_text=True)
    assert attached_names(db, meeting_id) == []


def test_attaching_nothing_or_too_many_says_what_to_do(staff_client, db):
    staff = staff_client()
    meeting_id = create_meeting(staff)
    empty = attach(staff, meeting_id, [])
    assert empty.status_code == 422 and 'id="attachment-files-error"' in empty.get_data(
        as_text=True)
    many = attach(staff, meeting_id, [pdf_upload(f"{n}.pdf") for n in range(11)])
    assert many.status_code == 422
    assert "最多只能添加 10 个文件" in many.get_data(as_text=True)
    assert attached_names(db, meeting_id) == []


def test_board_section_shows_public_data_and_its_fingerprint_moves(staff_client, app, db):
    staff = staff_client()
    create_meeting(staff, title="还没发布的草稿")
    meeting_id = published_meeting(staff, title="已发布的会议", resolutions=["装路灯"])
    [resolution_id] = resolution_ids(db, meeting_id)
    section = next(s for s in registry(app).board_sections if s.key == "minutes")
    now = utcnow()

    def fingerprint():
        with app.app_context():
            from portal.extensions import db as portal_db
            return tuple(portal_db.session.execute(select(*section.fingerprint(now))).one())

    with app.test_request_context():
        context = section.load(now, None)
        titles = [meeting.title for meeting in context["meetings"]]
        assert titles == ["已发布的会议"]
        assert [r.text for r, _m in context["resolutions"]] == ["装路灯"]
        from flask import render_template
        html = render_template(section.template, **context)
        assert "装路灯" in html and "还没发布的草稿" not in html
    before = fingerprint()
    add_update(staff, meeting_id, resolution_id, 40)
    assert fingerprint() != before


def test_staff_home_shows_the_minutes_panel(staff_client, db):
    director = staff_client(Role.DIRECTOR)
    create_meeting(director, title="草稿一")
    create_meeting(director, title="草稿二")
    meeting_id = published_meeting(director, resolutions=[])
    yesterday = (today() - timedelta(days=1)).isoformat()
    add_resolution(director, meeting_id, "过期的决议", due_on=yesterday, key="late")
    add_resolution(director, meeting_id, "未到期的决议", due_on="2099-01-01", key="later")
    html = director.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/minutes"' in html
    assert "2 份草稿等待发布" in html and "1 项决议已过期限仍未完成" in html
    assert "/staff/minutes" not in staff_client(Role.GRID_WORKER).get("/staff/").get_data(
        as_text=True)


def test_resident_home_has_a_minutes_tile(resident_client):
    assert 'href="/minutes/"' in resident_client.get("/").get_data(as_text=True)


def _load_meetings(app, count):
    from portal.minutes import demo

    with app.app_context():
        from portal.extensions import db as portal_db
        demo._load_many(portal_db.session, count, None)
        portal_db.session.commit()


# count, page, years (the filter) or latest updates, resolution counts, the alert banner;
# a text search adds the search service's one statement
LIST_PAGES = {"/minutes/": 5, "/minutes/?page=7": 5, "/minutes/?kind=council&year=2020": 5,
              "/minutes/?q=例会": 6, "/minutes/resolutions": 4, "/minutes/resolutions?page=12": 4}


@pytest.mark.parametrize(("path", "budget"), LIST_PAGES.items())
def test_list_pages_keep_a_fixed_query_budget(app, client, count_queries, path, budget):
    _load_meetings(app, 30)
    client.get(path)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _load_meetings(app, 300)
    with count_queries() as large:
        response = client.get(path)
    assert response.status_code == 200
    assert large.count == small.count == budget, large.statements


def test_staff_list_keeps_a_fixed_query_budget(app, staff_client, count_queries):
    staff = staff_client()
    _load_meetings(app, 300)
    staff.get("/staff/minutes")
    with count_queries() as log:
        assert staff.get("/staff/minutes?page=3").status_code == 200
    assert log.count == 4, log.statements  # the same four with 30 or 300 meetings


def test_demo_data_loads_twice_without_duplicates(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["portal", "demo", "--meetings", "5"])
        assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).select_from(Meeting)) == 8
    assert db.scalar(select(func.count()).select_from(Meeting)
                     .where(Meeting.published.is_(False))) == 0




def test_meeting_types_and_statuses_are_translated(staff_client, client):
    staff = staff_client()
    meeting_id = published_meeting(staff, kind="hearing")
    client.set_cookie("lang", "en")
    html = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert "Public hearing" in html and "听证会" not in html
    assert '<span class="tag tag-muted">Not started</span>' in html
    client.set_cookie("lang", "zh_Hans_CN")
    html = client.get(f"/minutes/{meeting_id}").get_data(as_text=True)
    assert "听证会" in html and '<span class="tag tag-muted">未开始</span>' in html


def test_an_expired_csrf_token_keeps_what_was_typed(staff_client, db):
    staff = staff_client()
    response = staff.post("/staff/minutes/new", data={**MEETING, "form_key": "k",
                                                      "csrf_token": "stale"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "大家同意重新划线。" in html and 'value="社区会议室"' in html
    assert db.scalar(select(func.count()).select_from(Meeting)) == 0


def test_detail_page_queries_do_not_grow_with_resolutions_and_updates(
        staff_client, client, db, count_queries):
    staff = staff_client()
    small = published_meeting(staff, title="小会", resolutions=["一项"])
    large = published_meeting(staff, title="大会", resolutions=[f"决议{n}" for n in range(12)])
    for resolution_id in resolution_ids(db, large)[:4]:
        for step in range(3):
            add_update(staff, large, resolution_id, 10 * (step + 1), note=f"第{step}步")
    counts = []
    for meeting_id in (small, large):
        client.get(f"/minutes/{meeting_id}")
        with count_queries() as log:
            assert client.get(f"/minutes/{meeting_id}").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
