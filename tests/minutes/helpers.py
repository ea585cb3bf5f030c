"""Shared steps for the minutes and notices tests: real HTTP requests through the staff pages."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from tests.conftest import csrf_token

PAYLOADS = {
    "script": "<script>alert('xss')</script>",
    "onerror": '<img src="x" onerror="alert(\'xss\')">',
    "javascript_link": "[press here](javascript:alert('xss'))",
}


def minimal_pdf() -> bytes:
    """A real, tiny one-page PDF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(name="minutes.pdf"):
    return (io.BytesIO(minimal_pdf()), name)


MEETING = {"kind": "council", "title": "三季度居民议事会", "held_on": "2026-11-20",
           "place": "社区会议室", "attendance": "25", "agenda": "1. 停车\n2. 绿化",
           "minutes": "大家同意重新划线。\n绿化下周开工。"}


def create_meeting(client, **fields) -> int:
    token = csrf_token(client, "/staff/minutes/new")
    data = {**MEETING, **fields, "csrf_token": token, "form_key": fields.get("form_key", "")
            or f"key-{id(fields)}-{fields.get('title', '')}"}
    response = client.post("/staff/minutes/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/staff/minutes/(\d+)", response.location).group(1))


def add_resolution(client, meeting_id, text, responsible="物业服务中心", due_on="2027-01-31",
                   key=None):
    token = csrf_token(client, f"/staff/minutes/{meeting_id}")
    response = client.post(f"/staff/minutes/{meeting_id}/resolutions", data={
        "resolution-csrf_token": token, "resolution-form_key": key or f"r-{abs(hash(text))}",
        "resolution-text": text, "resolution-responsible": responsible,
        "resolution-due_on": due_on})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]


def publish(client, meeting_id):
    token = csrf_token(client, f"/staff/minutes/{meeting_id}")
    response = client.post(f"/staff/minutes/{meeting_id}/publish", data={"csrf_token": token})
    assert response.status_code == 303


def published_meeting(client, resolutions=("重新划停车线", "绿化改造"), **fields) -> int:
    meeting_id = create_meeting(client, **fields)
    for text in resolutions:
        add_resolution(client, meeting_id, text)
    publish(client, meeting_id)
    return meeting_id


def add_update(client, meeting_id, resolution_id, progress, status="in_progress",
               note="已经开工。", key=None):
    path = f"/staff/minutes/{meeting_id}/resolutions/{resolution_id}"
    token = csrf_token(client, path)
    key = key or f"u-{progress}-{abs(hash(note))}"
    return client.post(path, data={"csrf_token": token, "form_key": key, "status": status,
                                   "progress": str(progress), "note": note})


class _Danger(HTMLParser):
    """Collects anything in a page that could run script."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.found.append("<script> without src")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "xss" in data:
            self.found.append("script body")


def dangerous_markup(html: str) -> list[str]:
    parser = _Danger()
    parser.feed(html)
    return parser.found
