"""Store, find and authorise uploads. Never commits."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.files.checks import (
    EXTENSIONS,
    StorageUnavailable,
    UploadRejected,
    check_upload,
    too_large_message,
)
from portal.files.models import StoredFile
from portal.files.storage import write_file
from portal.registry import registry

IMAGES = {"image/jpeg", "image/png", "image/webp", "image/heic"}  # HEIC is stored as JPEG
IMAGES_AND_PDF = IMAGES | {"application/pdf"}
PDF = {"application/pdf"}

__all__ = ["IMAGES", "IMAGES_AND_PDF", "PDF", "StorageUnavailable", "UploadRejected", "Uploads",
           "take_uploads", "store_upload", "claim_pending", "file_path", "may_view", "opened"]


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def file_path(stored: StoredFile) -> Path:
    return _upload_root() / stored.token[:2] / f"{stored.token}.{EXTENSIONS[stored.content_type]}"


def _clean_name(name: str | None) -> str:
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name[:120] or "file"


def _stream_size(stream) -> int | None:
    """The whole upload's size without reading it: Werkzeug spools it to a seekable file, so
    a 13 MB photo is reported as 13 MB rather than "more than the limit"."""
    try:
        start = stream.tell()
        end = stream.seek(0, 2)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return end - start


def store_upload(session: Session, upload, *, owner_id: int | None, area: str,
                 allowed: set[str] = IMAGES, max_bytes: int = 8 * 1024 * 1024) -> StoredFile:
    """Check an uploaded file by its content and store it. Raises UploadRejected, or its
    subclass StorageUnavailable when the upload store can't be written (then nothing is kept:
    no row, no file)."""
    size = _stream_size(upload.stream)
    if size is not None and size > max_bytes:
        raise UploadRejected(too_large_message(size, max_bytes, allowed))
    data = upload.stream.read(max_bytes + 1)
    checked = check_upload(data, allowed, max_bytes)
    stored = StoredFile(token=secrets.token_urlsafe(24), owner_id=owner_id, area=area,
                        content_type=checked.content_type, size=len(checked.content),
                        original_name=_clean_name(upload.filename), width=checked.width,
                        height=checked.height)
    write_file(session, file_path(stored), checked.content)
    session.add(stored)
    session.flush()
    return stored


def claim_pending(session: Session, tokens: Iterable[str], owner_id: int,
                  area: str) -> list[StoredFile]:
    """The person's own not-yet-attached uploads among ``tokens``; anything else is ignored."""
    tokens = [token for token in tokens if token][:20]
    if not tokens:
        return []
    found = session.scalars(select(StoredFile).where(
        StoredFile.token.in_(tokens), StoredFile.owner_id == owner_id,
        StoredFile.area == area, StoredFile.attached.is_(False)))
    by_token = {stored.token: stored for stored in found}
    return [by_token[token] for token in dict.fromkeys(tokens) if token in by_token]


@dataclass
class Uploads:
    """What a form's file field holds after ``take_uploads``: the files to attach when the form
    is saved (kept ones first), and a message for each file that was refused."""

    files: list[StoredFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> str:
        """For the form's hidden field, so the next try keeps these files."""
        return " ".join(stored.token for stored in self.files)

    @property
    def first(self) -> StoredFile | None:
        return self.files[0] if self.files else None


def take_uploads(session: Session, uploads: Iterable, *, kept: Iterable[str] = (),
                 owner_id: int, area: str, allowed: set[str] = IMAGES,
                 max_bytes: int = 8 * 1024 * 1024, max_files: int = 1) -> Uploads:
    """Store the files chosen now, and keep the ones a failed form already uploaded.

    ``uploads`` are the request's FileStorage objects (empty choices are skipped); ``kept`` are
    the tokens the form carried from an earlier try, of which only this person's own
    unattached files of ``area`` count. With ``max_files=1`` a new choice replaces the kept
    file. Nothing is attached here: the caller attaches ``files`` when the form is saved.
    """
    chosen = [upload for upload in uploads or () if upload and getattr(upload, "filename", "")]
    result = Uploads()
    if not (chosen and max_files == 1):
        result.files = claim_pending(session, kept, owner_id, area)[:max_files]
    for upload in chosen:
        if len(result.files) >= max_files:
            result.errors.append(_("Add at most %(count)d files.", count=max_files))
            break
        try:
            result.files.append(store_upload(session, upload, owner_id=owner_id, area=area,
                                             allowed=allowed, max_bytes=max_bytes))
        except StorageUnavailable as unavailable:  # the next file would fail the same way
            result.errors.append(str(unavailable.message))
            break
        except UploadRejected as rejected:
            result.errors.append(str(rejected.message))
    return result


def may_view(session: Session, user, stored: StoredFile) -> bool:
    """The owner, or whoever the file's area says may see the object it belongs to."""
    if user is not None and user.is_authenticated and stored.owner_id == user.id:
        return True
    rule = registry().file_rules.get(stored.area)
    return bool(rule and stored.attached and rule.allows(session, user, stored))


def opened(session: Session, user, stored: StoredFile) -> bool:
    """Tell the file's area it is being served; True when the area recorded something."""
    rule = registry().file_rules.get(stored.area)
    if rule is None or rule.opened is None:
        return False
    rule.opened(session, user, stored)
    return True
