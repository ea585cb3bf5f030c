"""Serve uploads to those allowed to see them; everyone else gets 404."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db
from portal.files import service
from portal.files.models import StoredFile

bp = Blueprint("files", __name__)


@bp.get("/files/<token>")
def serve(token):
    stored = db.session.scalar(select(StoredFile).where(StoredFile.token == token))
    if stored is None or not service.may_view(db.session, current_user, stored):
        abort(404)
    path = service.file_path(stored)
    if not path.exists():
        abort(404)
    if service.opened(db.session, current_user, stored):
        db.session.commit()
    response = send_file(path, mimetype=stored.content_type, download_name=stored.original_name,
                         as_attachment=False, max_age=0, conditional=True)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
