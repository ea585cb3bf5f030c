"""Log lines without personal data, each tied to its request.

Every request gets an id (the proxy's X-Request-ID when it sent a sane one, else a new one),
answered in the X-Request-ID header, which the access log prints (gunicorn.conf.py). Every log
record, from any logger (gunicorn's access log included), carries ``request_id`` and is
scrubbed of ID numbers and mobile numbers before any handler sees it, traceback included:
URLs and exception texts may quote what someone typed.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback

from flask import Flask, g, has_request_context, request

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "X-Request-ID"


def scrub(text: str) -> str:
    return MOBILE.sub("[phone]", ID_NUMBER.sub("[id-number]", text))


def current_request_id() -> str:
    return g.get("request_id", "-") if has_request_context() else "-"


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "portal_scrubbing", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: leave it to the handler
            return record
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            trace = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = scrub(trace).rstrip("\n")
        if record.request_id != "-" and record.name.startswith("portal"):
            record.msg, record.args = f"[request {record.request_id}] {record.getMessage()}", None
        return record

    factory.portal_scrubbing = True
    logging.setLogRecordFactory(factory)


def init_app(app: Flask) -> None:
    _install_record_factory()

    @app.before_request
    def assign_request_id():
        given = request.headers.get(HEADER, "")
        g.request_id = given if _SANE_ID.fullmatch(given) else secrets.token_urlsafe(12)

    @app.after_request
    def answer_request_id(response):
        response.headers[HEADER] = g.get("request_id", "-")
        return response
