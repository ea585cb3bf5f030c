"""Storage faults: an upload store that can't be written gives a clear, translated 503 with the
form and its values kept, and nothing half-written; files of a transaction that rolled back
(a lost double-submit race) are removed; ``portal cleanup-files`` removes the rest."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.clock import utcnow
from portal.files.models import StoredFile
from portal.files.service import IMAGES, file_path, store_upload
from portal.service_requests.models import ServiceRequest
from tests.conftest import sign_in
from tests.service_requests.test_resident_views import form_of, jpeg

DESCRIPTION = "楼道里的灯坏了三天了，晚上很黑。"


def _read_only_bind(path):
    """Make ``path`` a read-only bind mount of itself (needs root and mount rights)."""
    path.mkdir()
    steps = (["mount", "--bind", str(path), str(path)],
             ["mount", "-o", "remount,ro,bind", str(path)])
    for step in steps:
        if shutil.which("mount") is None or os.geteuid() != 0 or subprocess.run(
                step, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(path)], capture_output=True)
            return False
    return True


@pytest.fixture(params=["file-in-the-way", "read-only-mount", "chmod"])
def unwritable_dir(request, tmp_path):
    """An upload directory that really can't be written, three ways."""
    if request.param == "file-in-the-way":  # the path's parent is a plain file
        (tmp_path / "blocked").write_text("not a directory")
        yield tmp_path / "blocked" / "uploads"
        return
    target = tmp_path / "uploads"
    if request.param == "read-only-mount":
        if not _read_only_bind(target):
            pytest.skip("no rights to make a read-only bind mount here")
        yield target
        subprocess.run(["umount", str(target)], check=True)
        return
    target.mkdir()
    target.chmod(0o500)
    if os.access(target, os.W_OK):  # root ignores the mode
        target.chmod(0o700)
        pytest.skip("running as root: chmod doesn't stop writes (the other two cases do)")
    yield target
    target.chmod(0o700)


def _post_request(client, categories, form):
    return client.post("/requests/new", data={
        **form, "category": categories["hazard"].id, "building": "3号楼",
        "description": DESCRIPTION, "photos": [(io.BytesIO(jpeg()), "light.jpg")]},
        content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})


def test_a_read_only_upload_store_gives_503_and_keeps_the_form(make_app, db, resident,
                                                               categories, unwritable_dir):
    app = make_app(UPLOAD_DIR=str(unwritable_dir))
    client = app.test_client()
    sign_in(client, resident)
    form = form_of(client)
    response = _post_request(client, categories, form)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert DESCRIPTION in html and "3号楼" in html
    assert "我们这边出了故障" in html  # the translated message, on the photo field
    assert form["idempotency_key"] in html  # sending again later is still the same request
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    if unwritable_dir.parent.is_dir():
        assert not any(unwritable_dir.rglob("*"))  # no half-written file

    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["uploads"] == "unavailable"


def test_a_staff_form_gets_the_same_503(make_app, db, staff_client, tmp_path):
    (tmp_path / "blocked").write_text("")
    app = make_app(UPLOAD_DIR=str(tmp_path / "blocked" / "uploads"))
    staff = staff_client("deputy_director").user
    client = app.test_client()
    sign_in(client, staff)
    html = client.get("/staff/notices/new").get_data(as_text=True)
    token = html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    response = client.post("/staff/notices/new", data={
        "csrf_token": token, "title": "停水通知", "body": "明天上午九点到十二点停水。",
        "attachment": (io.BytesIO(jpeg()), "notice.jpg")},
        content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 503
    assert "停水通知" in response.get_data(as_text=True)


def test_files_of_a_rolled_back_transaction_are_removed(app, db):
    with app.test_request_context():
        kept = store_upload(db, FileStorage(io.BytesIO(jpeg()), "a.jpg"), owner_id=None,
                            area="test", allowed=IMAGES)
        db.commit()
        lost = store_upload(db, FileStorage(io.BytesIO(jpeg(color=(1, 2, 3))), "b.jpg"),
                            owner_id=None, area="test", allowed=IMAGES)
        lost_path = file_path(lost)
        assert lost_path.exists()
        db.rollback()  # what the request that loses the idempotency race does
        assert not lost_path.exists()
        assert file_path(kept).exists()


def test_a_double_submit_that_loses_the_race_leaves_no_photo(app, db, resident, categories,
                                                             file_request):
    """What the request that loses does: its photo is written, then its INSERT fails on the
    idempotency key the winner committed a moment earlier, and it rolls back."""
    from sqlalchemy.exc import IntegrityError

    from portal.files.service import take_uploads
    from portal.service_requests import service

    with app.test_request_context():
        winner = file_request(resident, "hazard")
        uploads = take_uploads(db, [FileStorage(io.BytesIO(jpeg()), "light.jpg")],
                               owner_id=resident.id, area=service.AREA)
        photo_path = file_path(uploads.first)
        assert photo_path.exists()
        with pytest.raises(IntegrityError):
            service.submit(db, db.get(type(resident), resident.id),
                           category=categories["hazard"], description=DESCRIPTION,
                           building="3号楼", location="", urgent=False, many_households=False,
                           idempotency_key=winner.idempotency_key, photos=uploads.files)
            db.flush()
        db.rollback()
        assert not photo_path.exists()
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_cleanup_files_removes_orphans_and_stale_uploads(app, db):
    with app.test_request_context():
        kept = store_upload(db, FileStorage(io.BytesIO(jpeg()), "kept.jpg"), owner_id=None,
                            area="test", allowed=IMAGES)
        kept.attached = True
        stale = store_upload(db, FileStorage(io.BytesIO(jpeg(color=(9, 9, 9))), "old.jpg"),
                             owner_id=None, area="test", allowed=IMAGES)
        stale.created_at = utcnow() - timedelta(days=8)
        db.commit()
        kept_path, stale_path = file_path(kept), file_path(stale)
    root = kept_path.parent.parent
    orphan = root / "zz" / "zzorphan.jpg"
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    young = root / "zz" / "zzyoung.jpg"
    young.write_bytes(b"a request still being handled")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    for path in (kept_path, stale_path):
        os.utime(path, (old, old))

    result = app.test_cli_runner().invoke(args=["portal", "cleanup-files"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 orphan file(s) and 1 unsent upload(s)" in result.output
    assert not orphan.exists() and young.exists()
    assert kept_path.exists() and not stale_path.exists()
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 1
