"""Store, find and authorise uploads. Never commits."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.files.checks import EXTENSIONS, UploadRejected, check_upload
from portal.files.models import StoredFile

IMAGES = {"image/jpeg", "image/png", "image/webp"}
IMAGES_AND_PDF = IMAGES | {"application/pdf"}

__all__ = ["IMAGES", "IMAGES_AND_PDF", "UploadRejected", "store_upload", "claim_pending",
           "file_path", "may_view", "register_access_rule"]


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def file_path(stored: StoredFile) -> Path:
    return _upload_root() / stored.token[:2] / f"{stored.token}.{EXTENSIONS[stored.content_type]}"


def _clean_name(name: str | None) -> str:
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name[:120] or "file"


def store_upload(session: Session, upload, *, owner_id: int | None, area: str,
                 allowed: set[str] = IMAGES, max_bytes: int = 8 * 1024 * 1024) -> StoredFile:
    """Check an uploaded file by its content and store it. Raises UploadRejected."""
    data = upload.stream.read(max_bytes + 1)
    checked = check_upload(data, allowed, max_bytes)
    stored = StoredFile(token=secrets.token_urlsafe(24), owner_id=owner_id, area=area,
                        content_type=checked.content_type, size=len(checked.content),
                        original_name=_clean_name(upload.filename), width=checked.width,
                        height=checked.height)
    path = file_path(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(checked.content)
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


AccessRule = Callable[[Session, object, StoredFile], bool]


def register_access_rule(app, area: str, rule: AccessRule) -> None:
    """Let an area decide who besides the owner may see its files (followers, staff...)."""
    app.extensions.setdefault("file_access_rules", {})[area] = rule


def may_view(session: Session, user, stored: StoredFile) -> bool:
    if user is not None and user.is_authenticated and stored.owner_id == user.id:
        return True
    rule = current_app.extensions.get("file_access_rules", {}).get(stored.area)
    return bool(rule and stored.attached and rule(session, user, stored))
