"""Removing what no one will use: files on disk without a row (a crash between writing and
committing), and uploads left unattached by forms that were never sent. Run daily by
``portal worker`` (the ``cleanup-files`` job) or by hand with ``portal cleanup-files``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.clock import utcnow
from portal.files.models import StoredFile
from portal.files.storage import remove_after_commit

# A file younger than this may belong to a request still being handled.
DISK_GRACE = timedelta(hours=1)
# An upload kept for a form that failed, and never sent again.
PENDING_DAYS = 7
BATCH = 500


def _disk_files(root: Path):
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and len(folder.name) == 2:
                yield from (path for path in folder.iterdir() if path.is_file())


def remove_orphan_files(session: Session, root: Path, now: datetime) -> int:
    """Unlink files older than DISK_GRACE that no stored_file row names; returns how many."""
    cutoff = (now - DISK_GRACE).timestamp()
    removed, batch = 0, []

    def sweep(paths):
        tokens = {path.name.split(".")[0] for path in paths}
        known = set(session.scalars(select(StoredFile.token).where(StoredFile.token.in_(tokens))))
        count = 0
        for path in paths:
            if path.name.startswith(".") or path.name.split(".")[0] not in known:
                path.unlink(missing_ok=True)
                count += 1
        return count

    for path in _disk_files(root):
        if path.stat().st_mtime < cutoff:
            batch.append(path)
        if len(batch) >= BATCH:
            removed, batch = removed + sweep(batch), []
    return removed + (sweep(batch) if batch else 0)


def remove_stale_pending(session: Session, now: datetime) -> int:
    """Delete uploads never attached to anything within PENDING_DAYS; their files go after the
    commit. A row something still points to is left alone."""
    from portal.files.service import file_path

    stale = session.scalars(select(StoredFile).where(
        StoredFile.attached.is_(False),
        StoredFile.created_at < now - timedelta(days=PENDING_DAYS)).limit(BATCH)).all()
    removed = 0
    for stored in stale:
        try:
            with session.begin_nested():
                session.delete(stored)
        except IntegrityError:
            continue
        remove_after_commit(session, file_path(stored))
        removed += 1
    return removed


def run(session: Session, now: datetime | None = None) -> dict:
    now = now or utcnow()
    root = Path(current_app.config["UPLOAD_DIR"])
    return {"orphan_files": remove_orphan_files(session, root, now),
            "stale_uploads": remove_stale_pending(session, now)}


@click.command("cleanup-files")
@with_appcontext
def cleanup_files_command():
    """Remove upload files no row names, and uploads left unattached for a week."""
    from portal.extensions import db

    counts = run(db.session)
    db.session.commit()
    click.echo(f"Removed {counts['orphan_files']} orphan file(s) and "
               f"{counts['stale_uploads']} unsent upload(s).")


def init_app(app: Flask) -> None:
    from portal.registry import Job, registry

    registry(app).add(cleanup_files_command,
                      Job("cleanup-files", "30 3 * * *", lambda session, since, now:
                          ", ".join(f"{k} {v}" for k, v in run(session, now).items()),
                          "remove orphan and unsent upload files", order=90))
