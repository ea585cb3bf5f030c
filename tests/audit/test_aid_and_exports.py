"""Aid: every view, every material opened, the reveal, the decision, the search and the export
are recorded; every download in the product leaves an "export" line; and a phone or ID number
typed anywhere reaches the log masked."""

from __future__ import annotations

import io

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidFile
from portal.audit.service import SHARED_ACTIONS, action_choices
from portal.files.service import IMAGES_AND_PDF, take_uploads
from tests.aid.conftest import VALID_ID, jpeg_bytes
from tests.audit.conftest import WRITTEN, line, lines, named_in_words
from tests.conftest import csrf_token, sign_in
from tests.notices.test_notices import notice_id, post_notice


def _with_material(app, db, build_application, owner, staff):
    application = build_application(owner, stage="accepted", staff=staff)
    application.stage = "draft"  # materials are added while drafting
    with app.test_request_context():
        uploads = take_uploads(db, [FileStorage(io.BytesIO(jpeg_bytes()), "id.jpg")],
                               owner_id=owner.id, area=service.AREA, allowed=IMAGES_AND_PDF)
        service.attach_files(db, application, "id_card", uploads.files)
    application.stage = "accepted"
    db.commit()
    return application


def test_aid_views_files_reveal_decision_search_and_export(app, db, build_application,
                                                          make_user, staff_client):
    officer = staff_client(Role.CIVIL_AFFAIRS)
    owner = make_user(Role.RESIDENT)
    application = _with_material(app, db, build_application, owner, officer.user)
    ref = application.ref
    token = db.scalar(select(AidFile)).stored_file.token

    assert officer.get(f"/staff/aid/{ref}").status_code == 200
    line(db, "aid", "view", officer.user, ref)
    assert officer.get(f"/files/{token}").status_code == 200
    assert line(db, "aid", "file_opened", officer.user, ref).detail == "id_card"
    resident = app.test_client()
    sign_in(resident, owner)
    assert resident.get(f"/files/{token}").status_code == 200  # their own: no line
    assert len(lines(db, "aid", "file_opened")) == 1

    csrf = csrf_token(officer, f"/staff/aid/{ref}")
    assert officer.post(f"/staff/aid/{ref}/reveal", data={"csrf_token": csrf}).status_code == 200
    line(db, "aid", "reveal", officer.user, ref)
    assert officer.post(f"/staff/aid/{ref}/decision", data={
        "csrf_token": csrf, "outcome": "refuse", "reasons": "收入超过标准。",
        "review_months": "12"}).status_code == 303
    assert line(db, "aid", "decision", officer.user, ref).detail == "refuse"

    assert officer.post("/staff/aid/search", data={
        "csrf_token": csrf, "id_number": VALID_ID}).status_code == 200
    entry = line(db, "aid", "search", officer.user)
    assert VALID_ID not in entry.target + entry.detail
    assert officer.get("/staff/aid/export.csv?stage=refused").status_code == 200
    line(db, "aid", "export", officer.user)


def test_every_download_is_recorded(app, db, staff_client, file_request, make_user):
    director = staff_client(Role.DIRECTOR)
    file_request(make_user(Role.RESIDENT))
    for path in ("/staff/queue.csv", "/staff/audit.xlsx", "/staff/figures/report.csv"):
        assert director.get(path).status_code == 200, path
    for area in ("requests", "audit", "figures"):
        line(db, area, "export", director.user)


def test_a_phone_or_id_number_typed_into_a_title_is_masked(db, staff_client):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    nid = notice_id(post_notice(staff, title="停水请打13800138000", key="n-phone"))
    entry = line(db, "notices", "notice_published", staff.user)
    assert entry.target == f"#{nid} 停水请打[phone]"
    notice_id(post_notice(staff, title=f"身份证{VALID_ID}遗失", key="n-phone",
                          path=f"/staff/notices/{nid}"))
    entry = line(db, "notices", "notice_edited", staff.user)
    assert VALID_ID not in entry.target and "[id-number]" in entry.target
    for entry in lines(db, "notices"):
        assert "13800138000" not in entry.target + entry.detail


def test_every_named_action_reads_in_words_and_is_offered_by_the_filter(app, staff_client):
    """Each action an area names, in English and Chinese; and the filter on /staff/audit
    offers every key these tests wrote."""
    from portal.registry import registry

    for area, action in registry(app).audit_actions:
        named_in_words(app, area, action)
    page = staff_client(Role.DIRECTOR).get("/staff/audit").get_data(as_text=True)
    keys = {key for key, _label in _choices(app)} | {action.key for action in SHARED_ACTIONS}
    for _area, action in WRITTEN | {(a, k) for a, k in registry(app).audit_actions}:
        assert action in keys and f'<option value="{action}"' in page, action


def test_every_area_that_names_actions_has_a_name_itself(app):
    from portal.audit.service import AREA_LABELS
    from portal.registry import registry

    areas = {area for area, _action in registry(app).audit_actions} - {"*"}
    assert areas <= set(AREA_LABELS), areas - set(AREA_LABELS)


def _choices(app):
    with app.test_request_context():
        return action_choices()
