"""The resident task list through HTTP, staff pages, access rules, audit and query budget."""

from __future__ import annotations

import io
import random
import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.aid import demo, service
from portal.aid.models import AidApplication, AidFile
from portal.audit.models import AuditEntry
from portal.clock import today
from portal.files.service import IMAGES_AND_PDF, take_uploads
from tests.aid.conftest import VALID_ID, checklist_fields, jpeg_bytes, pdf_bytes
from tests.conftest import sign_in


def _post(client, path, data, **kwargs):
    token_page = kwargs.pop("token_page", path)
    data = {"csrf_token": _token(client, token_page), **data}
    return client.post(path, data=data, **kwargs)


def _token(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _start(client, code="dibao", kind=None):
    """Start from the type's guide, as its button does: straight to the first part."""
    guide = f"/aid/types/{code}"
    response = _post(client, "/aid/new", {"aid_type": code, "kind": kind or "",
                                          "start_key": "same-key", "guide": code},
                     token_page=guide)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/applicant")
    return response.headers["Location"].removesuffix("/applicant")


def _goes_to(response, part):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1].split("?")[0] == part


def test_the_guide_starts_its_own_type_and_asks_only_what_applies(db, types, resident_client):
    guide = resident_client.get("/aid/types/dibao").get_data(as_text=True)
    assert 'name="aid_type" value="dibao"' in guide and 'name="kind"' not in guide
    assert "急难型" not in guide
    # the 低保 checklist no longer asks for what the online form already is
    assert "核对授权书" not in guide and "<li>申请书</li>" not in guide
    temporary = resident_client.get("/aid/types/temporary").get_data(as_text=True)
    assert 'name="kind"' in temporary
    # its question unanswered: the guide again, with the message, and no draft made
    assert 'name="kind_asked"' in temporary
    response = _post(resident_client, "/aid/new", {"aid_type": "temporary", "guide": "temporary",
                                                   "kind_asked": "1", "start_key": "k9"},
                     token_page="/aid/types/temporary")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "急难型还是支出型" in html and "办理步骤和时限" in html
    assert db.scalar(select(func.count()).select_from(AidApplication)) == 0


def test_resident_journey_over_http(app, db, types, resident_client, resident):
    client = resident_client
    assert client.get("/aid/").status_code == 200
    base = _start(client)
    assert _start(client) == base  # the same start form twice: one draft
    assert db.scalar(select(func.count()).select_from(AidApplication)) == 1
    page = client.get(base + "/applicant").get_data(as_text=True)
    assert f'href="{base}"' in page  # the task list one tap away

    # a mistyped ID number: 422, told exactly what is wrong, the name kept
    response = _post(client, base + "/applicant", {"name": "张三丰",
                                                   "id_number": "110105194912310021",
                                                   "phone": "13800138000"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "张三丰" in html and "110105194912310021" in html
    response = _post(client, base + "/applicant", {"name": "张三丰",
                                                   "id_number": "110105 19491231 002x",
                                                   "phone": "138-0013-8000"})
    assert _goes_to(response, "household")  # in order: straight on, not back to the list

    # household: add a member through htmx (fragment) and one without JS (redirect)
    from portal.aid.idnumber import CHECK_CHARS, check_digit

    first17 = "11010520100101001"
    child = first17 + check_digit(first17)
    wrong = first17 + next(c for c in CHECK_CHARS if c != child[-1])
    token = _token(client, base + "/household")
    response = client.post(base + "/household/members", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "member_name": "张小",
                                 "relation": "child", "member_id_number": wrong,
                                 "status": "student"})
    assert response.status_code == 422  # wrong check digit
    assert "<html" not in response.get_data(as_text=True)
    response = client.post(base + "/household/members", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "member_name": "张小",
                                 "relation": "child", "member_id_number": child,
                                 "status": "student"})
    assert response.status_code == 200 and "110105********" in response.get_data(as_text=True)
    response = _post(client, base + "/household/members",
                     {"member_name": "张二", "relation": "spouse", "member_id_number": child,
                      "status": "retired"}, token_page=base + "/household")
    assert response.status_code == 303
    application = db.scalar(select(AidApplication))
    db.refresh(application)
    assert len(application.members) == 2
    second = application.members[1].id
    response = _post(client, f"{base}/household/members/{second}/remove", {},
                     token_page=base + "/household")
    assert response.status_code == 303
    assert _goes_to(_post(client, base + "/household/done", {},
                          token_page=base + "/household"), "income")

    member_id = db.scalar(select(AidApplication)).members[0].id
    response = _post(client, base + "/income", {
        "applicant_income": "1,234.5", f"member_{member_id}": "０", "housing": "rent",
        "vehicles": "0", "savings": "5000", "circumstances": ""})
    assert _goes_to(response, "materials")

    # materials: every item on one page, several files per item, one submit
    page = client.get(base + "/materials").get_data(as_text=True)
    assert page.count('type="file"') == 5 and page.count('type="submit" class="button"') == 1
    assert 'id="files-check_authorisation"' not in page
    assert 'id="files-application_letter"' not in page
    assert _tasks(client, base)["materials"] == "未开始"
    items = checklist_fields(page)
    assert items == {"item-1": "hukou", "item-2": "id_card", "item-3": "income_proof",
                     "item-4": "assets_statement", "item-5": "disability_or_diagnosis"}
    response = client.post(base + "/materials", data={
        "csrf_token": _token(client, base + "/materials"), **items,
        "files-1": [(io.BytesIO(jpeg_bytes()), "户口簿首页.jpg"),
                    (io.BytesIO(jpeg_bytes()), "户口簿本人页.jpg")],
        "files-2": [(io.BytesIO(jpeg_bytes()), "front.jpg"), (io.BytesIO(pdf_bytes()), "back.pdf")],
        "files-3": [(io.BytesIO(b"hello"), "note.txt")]},
        content_type="multipart/form-data")
    assert response.status_code == 422  # the text file refused, on its own item
    html = response.get_data(as_text=True)
    assert 'href="#files-income_proof"' in html and "户口簿首页.jpg" in html
    application = db.scalar(select(AidApplication))
    db.refresh(application)
    grouped = service.files_by_item(application)
    assert {k: len(v) for k, v in grouped.items()} == {"hukou": 2, "id_card": 2}
    # not done while required items have no file, whatever was pressed
    assert _tasks(client, base)["materials"] == "还缺 2 项"
    response = client.post(base + "/materials", data={
        "csrf_token": _token(client, base + "/materials"), **items,
        "files-3": [(io.BytesIO(pdf_bytes()), "工资单.pdf")],
        "files-4": [(io.BytesIO(jpeg_bytes()), "存折.jpg")]},
        content_type="multipart/form-data")
    assert _goes_to(response, "consent")
    assert _tasks(client, base)["materials"] == "已完成"

    response = _post(client, base + "/consent", {"processing": "y"})
    assert response.status_code == 422  # both consents, separately
    assert _goes_to(_post(client, base + "/consent", {"processing": "y", "check": "y"}), "check")

    check = client.get(base + "/check").get_data(as_text=True)
    assert "110105********002X" in check and VALID_ID not in check
    assert "back=check" in check and f"{base}/letter" in check
    # a Change link comes back to check answers
    assert _goes_to(_post(client, base + "/income", {
        "applicant_income": "1,234.5", f"member_{member_id}": "0", "housing": "rent",
        "vehicles": "0", "savings": "5000", "back": "check"}), "check")
    letter = client.get(base + "/letter").get_data(as_text=True)
    assert "张三丰" in letter and "张小" in letter and "110105********002X" in letter
    assert VALID_ID not in letter and "1,234.50" in letter
    response = _post(client, base + "/submit", {}, token_page=base + "/check")
    assert response.status_code == 303
    application = db.scalar(select(AidApplication))
    db.refresh(application)
    assert re.fullmatch(r"A\d{8}-0001", application.ref)
    assert application.stage == "submitted"
    assert application.income_fen == 123450
    confirmation = client.get(f"/aid/{application.ref}/confirmation").get_data(as_text=True)
    assert application.ref in confirmation and app.config["OFFICE_PHONE"] in confirmation
    assert f"/aid/{application.ref}/letter" in confirmation
    progress = client.get(f"/aid/{application.ref}")
    assert progress.status_code == 200
    # editing after sending is refused: back to the progress page
    assert client.get(f"/aid/{application.ref}/applicant").status_code == 303


def _tasks(client, base) -> dict[str, str]:
    html = client.get(base).get_data(as_text=True)
    return dict(re.findall(r'id="status-(\w+)"[^>]*>([^<]+)<', html))


def test_out_of_order_parts_go_back_to_the_task_list(db, types, resident_client):
    base = _start(resident_client)
    # income first, from the task list: the parts before it are open, so back to the list
    response = _post(resident_client, base + "/income", {
        "applicant_income": "0", "housing": "rent", "vehicles": "0", "savings": "0"})
    assert _goes_to(response, base.rsplit("/", 1)[-1])
    response = _post(resident_client, base + "/applicant", {
        "name": "张三丰", "id_number": VALID_ID, "phone": "13800138000"})
    assert _goes_to(response, "household")
    # household done: income is done already, so on to materials
    assert _goes_to(_post(resident_client, base + "/household/done", {},
                          token_page=base + "/household"), "materials")


def test_materials_kept_after_a_lapsed_page(app, db, types, resident_client):
    base = _start(resident_client)
    items = checklist_fields(resident_client.get(base + "/materials").get_data(as_text=True))
    response = resident_client.post(base + "/materials", data={
        "csrf_token": "stale", **items, "files-2": [(io.BytesIO(jpeg_bytes()), "身份证正面.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.scalar(select(func.count()).select_from(AidFile)) == 0
    with app.test_request_context():
        from werkzeug.datastructures import FileStorage

        owner = db.scalar(select(AidApplication)).applicant_id
        kept = take_uploads(db, [FileStorage(io.BytesIO(jpeg_bytes()), "身份证正面.jpg")],
                            owner_id=owner, area=service.AREA, allowed=IMAGES_AND_PDF,
                            max_files=service.MAX_FILES).files
    db.commit()
    response = resident_client.post(base + "/materials", data={
        "csrf_token": "stale", **items, "tokens-2": kept[0].token},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "身份证正面.jpg" in html and f'name="tokens-2" value="{kept[0].token}"' in html
    response = resident_client.post(base + "/materials", data={
        "csrf_token": _token(resident_client, base + "/materials"),
        **items, "tokens-2": kept[0].token}, content_type="multipart/form-data")
    assert _goes_to(response, base.rsplit("/", 1)[-1])  # About you still open: the task list
    assert db.scalar(select(AidFile.item)) == "id_card"


@pytest.fixture
def submitted(app, db, build_application, make_user):
    owner = make_user(Role.RESIDENT)
    application = build_application(owner, stage="submitted")
    from werkzeug.datastructures import FileStorage

    application.stage = "draft"
    with app.test_request_context():
        uploads = take_uploads(db, [FileStorage(io.BytesIO(jpeg_bytes()), "id.jpg")],
                               owner_id=owner.id, area=service.AREA, allowed=IMAGES_AND_PDF)
        service.attach_files(db, application, "id_card", uploads.files)
    application.stage = "submitted"
    db.commit()
    return owner, application


def test_another_resident_gets_404_on_application_and_files(app, db, submitted, make_user):
    owner, application = submitted
    token = db.scalar(select(AidFile)).stored_file.token
    other = app.test_client()
    sign_in(other, make_user(Role.RESIDENT))
    assert other.get(f"/aid/{application.ref}").status_code == 404
    assert other.get(f"/aid/{application.ref}/confirmation").status_code == 404
    assert other.get(f"/aid/{application.key}/applicant").status_code == 404
    assert other.get(f"/files/{token}").status_code == 404
    mine = app.test_client()
    sign_in(mine, owner)
    assert mine.get(f"/aid/{application.ref}").status_code == 200
    assert mine.get(f"/files/{token}").status_code == 200


def test_culture_staff_get_403(submitted, staff_client):
    _owner, application = submitted
    client = staff_client(Role.CULTURE)
    for path in ("/staff/aid", f"/staff/aid/{application.ref}", "/staff/audit?area=aid",
                 "/staff/aid/types"):
        assert client.get(path).status_code == 403
    governance = staff_client(Role.GOVERNANCE)
    assert governance.get("/staff/aid").status_code == 403


def test_staff_view_is_audited_and_ids_masked_until_reveal(app, db, submitted, staff_client):
    _owner, application = submitted
    client = staff_client(Role.CIVIL_AFFAIRS)
    with app.app_context():
        plain = service.reveal_ids(application)["applicant"]
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    page = client.get(f"/staff/aid/{application.ref}").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.area == "aid", AuditEntry.action == "view")) == before + 1
    assert plain not in page and application.id_masked in page
    token = db.scalar(select(AidFile)).stored_file.token
    assert client.get(f"/files/{token}").status_code == 200
    response = client.post(f"/staff/aid/{application.ref}/reveal",
                           data={"csrf_token": _token(client, f"/staff/aid/{application.ref}")})
    assert plain in response.get_data(as_text=True)
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "reveal"
    assert client.get(f"/staff/aid/{application.ref}/reveal").status_code == 405
    # the director reads the log; the civil affairs officer may not
    assert client.get("/staff/audit?area=aid").status_code == 403
    director = staff_client(Role.DIRECTOR)
    log = director.get("/staff/audit?area=aid").get_data(as_text=True)
    assert application.ref in log and "查看完整身份证号" in log


def test_staff_return_and_accept_over_http(db, submitted, staff_client):
    owner, application = submitted
    client = staff_client(Role.CIVIL_AFFAIRS)
    path = f"/staff/aid/{application.ref}"
    response = client.post(path + "/materials/hukou", data={
        "csrf_token": _token(client, path), "m-hukou-verdict": "missing",
        "m-hukou-note": "请拍清楚"})
    assert response.status_code == 303
    response = client.post(path + "/return", data={"csrf_token": _token(client, path),
                                                   "note": ""})
    assert response.status_code == 303
    db.refresh(application)
    assert application.stage == "returned"
    # a second return is refused with a message, nothing changes
    response = client.post(path + "/return", data={"csrf_token": _token(client, path)})
    assert response.status_code == 422
    export = client.get("/staff/aid/export.csv")
    assert application.ref in export.get_data(as_text=True)
    assert db.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "export"


def test_public_notices_show_only_masked_data(app, db, build_application, make_user,
                                              client):
    staff = make_user(Role.CIVIL_AFFAIRS)
    application = build_application(make_user(Role.RESIDENT), stage="notice", staff=staff,
                                     today=today())
    html = client.get("/aid/notices").get_data(as_text=True)
    assert "张**" in html and "张三丰" not in html and "900" in html
    assert application.id_masked not in html


def test_staff_home_panel_and_resident_tile(submitted, staff_client, resident_client):
    client = staff_client(Role.CIVIL_AFFAIRS)
    assert "/staff/aid?stage=submitted" in client.get("/staff/").get_data(as_text=True)
    assert "/aid/" in resident_client.get("/").get_data(as_text=True)


def _queue_queries(client, count_queries):
    with count_queries() as log:
        response = client.get("/staff/aid?due=soon")
        assert response.status_code == 200
        client.get("/staff/aid")
    return log.count


def test_queue_query_budget_does_not_grow(app, db, types, make_user, staff_client,
                                          count_queries):
    make_user(Role.RESIDENT, phone="13800000001", name="张阿姨")
    client = staff_client(Role.CIVIL_AFFAIRS)
    owner = db.scalar(select(User).where(User.phone == "13800000001"))
    with app.app_context():
        demo._bulk(db, 20, [owner], random.Random(1), today())
    db.commit()
    small = _queue_queries(client, count_queries)
    with app.app_context():
        demo._bulk(db, 2000, [owner], random.Random(1), today())
    db.commit()
    assert db.scalar(select(func.count()).select_from(AidApplication)) == 2000
    large = _queue_queries(client, count_queries)
    assert large == small
    assert large <= 16


def test_only_temporary_assistance_asks_which_kind(db, types, resident_client):
    """/aid/new asks 急难型 or 支出型 only of the type it belongs to, once that is chosen."""
    def count():
        return db.scalar(select(func.count()).select_from(AidApplication))

    page = resident_client.get("/aid/new").get_data(as_text=True)
    assert 'value="dibao"' in page and 'value="temporary"' in page  # the types to choose
    assert 'name="kind"' not in page and "急难型" not in page
    # 低保: no such question, straight to the first part, no kind stored even if sent
    response = _post(resident_client, "/aid/new", {"aid_type": "dibao", "kind": "emergency",
                                                   "start_key": "k0"}, token_page="/aid/new")
    assert response.status_code == 303 and response.headers["Location"].endswith("/applicant")
    assert db.scalar(select(AidApplication.kind)) is None
    # 临时救助 chosen: only its question next, nothing made yet
    response = _post(resident_client, "/aid/new", {"aid_type": "temporary", "start_key": "k1"},
                     token_page="/aid/new")
    assert response.status_code == 200 and count() == 1
    html = response.get_data(as_text=True)
    assert 'name="kind"' in html and "急难型" in html and "临时救助" in html
    assert 'type="hidden" name="aid_type" value="temporary"' in html
    assert 'value="dibao"' not in html  # no other type offered on this step
    assert "急难型" in resident_client.get("/aid/new?type=temporary").get_data(as_text=True)
    # asked and not answered: told so
    response = _post(resident_client, "/aid/new", {"aid_type": "temporary", "kind_asked": "1",
                                                   "start_key": "k1"}, token_page="/aid/new")
    assert response.status_code == 422 and count() == 1
    assert "急难型还是支出型" in response.get_data(as_text=True)
    response = _post(resident_client, "/aid/new", {"aid_type": "temporary", "kind_asked": "1",
                                                   "kind": "emergency", "start_key": "k1"},
                     token_page="/aid/new")
    assert response.status_code == 303 and count() == 2
    assert db.scalar(select(AidApplication.kind).where(AidApplication.kind.is_not(None))) \
        == "emergency"


def test_withdrawn_drafts_stay_out_of_the_staff_queue(db, build_application, resident,
                                                      staff_client):
    draft = build_application(resident)
    draft.stage = "withdrawn"
    db.commit()
    page = staff_client(Role.CIVIL_AFFAIRS).get("/staff/aid")
    assert page.status_code == 200 and draft.key not in page.get_data(as_text=True)


def test_staff_still_see_files_of_items_taken_off_the_checklist(db, submitted, staff_client):
    """An application sent with a 申请书 upload, before the checklist dropped it."""
    _owner, application = submitted
    link = db.scalar(select(AidFile))
    link.item = "application_letter"
    db.commit()
    client = staff_client(Role.CIVIL_AFFAIRS)
    page = client.get(f"/staff/aid/{application.ref}").get_data(as_text=True)
    assert "其他已交文件" in page and "id.jpg" in page
    letter = client.get(f"/staff/aid/{application.ref}/letter")
    assert letter.status_code == 200
    html = letter.get_data(as_text=True)
    assert application.name in html and application.id_masked in html
    assert f'href="/staff/aid/{application.ref}"' in html
    assert client.get("/staff/aid/A20990101-0001/letter").status_code == 404


def test_the_new_pages_in_english(db, types, resident_client):
    base = _start(resident_client)
    english = {"Accept-Language": "en"}
    page = resident_client.get(base + "/materials", headers=english).get_data(as_text=True)
    assert "Part 4 of 5" in page and "All parts of your application" in page
    assert "you don't need to upload them" in page
    letter = resident_client.get(base + "/letter", headers=english).get_data(as_text=True)
    assert "Application letter and authorisation" in letter and "Not given yet." in letter
