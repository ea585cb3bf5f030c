"""portal backup / verify-backup / restore: a backup taken while a writer keeps submitting
requests with photos holds every request acknowledged before it began, and every file of
every request it holds; restored into a new database and upload directory, all is there."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.accounts.models import User
from portal.backup.service import sha256
from portal.config import ROOT
from portal.extensions import db as database
from portal.files.service import file_path, take_uploads
from portal.service_requests import service
from portal.service_requests.models import RequestPhoto, ServiceRequest
from tests.service_requests.test_resident_views import jpeg


def cli(config, *args, **env):
    environment = {**os.environ, "PORTAL_DATABASE_URL": config["DATABASE_URL"],
                   "PORTAL_SECRET_KEY": config["SECRET_KEY"], "PORTAL_DATA_KEY": config["DATA_KEY"],
                   "PORTAL_UPLOAD_DIR": config["UPLOAD_DIR"], **env}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "portal", *args],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture
def restore_target(database_url, tmp_path):
    """A new, empty database of the same kind as the suite's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_restored"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Writer(threading.Thread):
    """Submits requests with a photo, one after another, on a connection of its own."""

    def __init__(self, app, owner_id, category_id):
        super().__init__(daemon=True)
        self.app, self.owner_id, self.category_id = app, owner_id, category_id
        self.acknowledged: list[str] = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        number = 0
        try:
            while not self.stop.is_set():
                number += 1
                with self.app.test_request_context():
                    session = database.session
                    owner = session.get(User, self.owner_id)
                    category = next(c for c in service.categories(session)
                                    if c.id == self.category_id)
                    photo = FileStorage(io.BytesIO(jpeg(color=(number % 250, 10, 10))), "p.jpg")
                    uploads = take_uploads(session, [photo], owner_id=owner.id,
                                           area=service.AREA)
                    created = service.submit(
                        session, owner, category=category, description=f"第{number}次：楼道灯坏了",
                        building="3号楼", location="", urgent=False, many_households=False,
                        idempotency_key=f"backup-test-{number:06d}-xxxxxxxx",
                        photos=uploads.files)
                    session.commit()
                    self.acknowledged.append(created.ref)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error


def test_backup_during_writes_restores_every_request_and_file(app, db, resident, categories,
                                                              restore_target, tmp_path):
    writer = Writer(app, resident.id, categories["repair"].id)
    writer.start()
    while len(writer.acknowledged) < 10 and writer.is_alive():
        threading.Event().wait(0.05)
    before = set(writer.acknowledged)  # acknowledged before the backup began
    backup_dir = tmp_path / "backup"
    made = cli(app.config, "backup", str(backup_dir))
    during = len(writer.acknowledged) - len(before)
    threading.Event().wait(0.3)
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert made.returncode == 0, made.stderr
    assert during > 0, "the writer should have kept writing while the backup ran"

    checked = cli(app.config, "verify-backup", str(backup_dir))
    assert checked.returncode == 0 and "is whole" in checked.stdout, checked.stderr

    restored_uploads = tmp_path / "restored-uploads"
    done = cli({**app.config, "DATABASE_URL": restore_target,
                "UPLOAD_DIR": str(restored_uploads)}, "restore", str(backup_dir))
    assert done.returncode == 0, done.stderr

    restored = create_app({**app.config, "DATABASE_URL": restore_target,
                           "UPLOAD_DIR": str(restored_uploads)})
    try:
        with restored.test_request_context():
            session = database.session
            requests = session.scalars(select(ServiceRequest)).all()
            refs = {item.ref for item in requests}
            assert before <= refs <= set(writer.acknowledged)
            photos = session.scalars(select(RequestPhoto)).all()
            assert sorted(p.request_id for p in photos) == sorted(r.id for r in requests)
            for photo in photos:
                copy = file_path(photo.file)
                original = Path(app.config["UPLOAD_DIR"]) / copy.relative_to(restored_uploads)
                assert copy.is_file() and sha256(copy) == sha256(original)
    finally:
        restored.extensions["db_engine"].dispose()


def test_a_damaged_backup_is_found_and_not_restored(app, db, tmp_path):
    backup_dir = tmp_path / "backup"
    assert cli(app.config, "backup", str(backup_dir)).returncode == 0
    database_file = next(backup_dir.glob("database.*"))
    with database_file.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\xa5" * 16)
    checked = cli(app.config, "verify-backup", str(backup_dir))
    assert checked.returncode != 0 and "checksum" in checked.stderr
    refused = cli({**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}",
                   "UPLOAD_DIR": str(tmp_path / "new-uploads")}, "restore", str(backup_dir))
    assert refused.returncode != 0 and "not whole" in refused.stderr


def test_backup_refuses_a_folder_in_use(app, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("keep me")
    result = cli(app.config, "backup", str(tmp_path / "old"))
    assert result.returncode != 0 and "not empty" in result.stderr
