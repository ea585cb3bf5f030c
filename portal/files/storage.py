"""Writing upload files to disk so that a database transaction and the disk agree.

A file is written under a temporary name and renamed into place, so no reader ever sees half a
file. Its path is remembered on the session until the transaction ends: when it commits, the
file stays; when it rolls back (a form that lost a double-submit race, an error), the file is
removed again, so no orphan is left behind. ``portal cleanup-files`` catches what a crash
between the two leaves.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.files.checks import StorageUnavailable

log = logging.getLogger(__name__)
_WRITTEN = "portal_files_written"
_DOOMED = "portal_files_doomed"
UNAVAILABLE_MESSAGE = _l("We can't save files right now because of a fault on our side. "
                         "Nothing was sent: what you typed is still here. Please try again "
                         "in a few minutes, or call the community office.")


def write_file(session: Session, path: Path, content: bytes) -> None:
    """Write ``content`` at ``path`` for this session's transaction; raises StorageUnavailable."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        log.error("upload store not writable at %s: %s", path.parent, error.strerror or error)
        if has_app_context():
            g.storage_unavailable = True
        raise StorageUnavailable(UNAVAILABLE_MESSAGE) from error
    session.info.setdefault(_WRITTEN, []).append(path)


def writable(root: Path) -> bool:
    """Can a file be created in the upload store right now? (For /healthz, on every call:
    a real file made and removed, with plain system calls, the folder made only when the
    first try finds it missing.)"""
    probe = os.path.join(root, f".healthz-{secrets.token_hex(4)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        try:
            handle = os.open(probe, flags, 0o600)
        except FileNotFoundError:
            root.mkdir(parents=True, exist_ok=True)
            handle = os.open(probe, flags, 0o600)
        os.close(handle)
        os.unlink(probe)
    except OSError:
        return False
    return True


def remove_after_commit(session: Session, path: Path) -> None:
    """Remove ``path`` once the transaction that deleted its row has committed."""
    session.info.setdefault(_DOOMED, []).append(path)


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _unlink(session.info.pop(_DOOMED, ()))


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    session.info.pop(_DOOMED, None)
    _unlink(session.info.pop(_WRITTEN, ()))


def _unlink(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:  # portal cleanup-files will find it
            log.warning("could not remove an upload file: %s", error.strerror)
