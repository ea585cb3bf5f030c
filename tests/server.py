"""A real gunicorn with several workers, signed-in residents without a login each, and waves of
concurrent form posts against it: the proof that something holds when many people press a
button at once (tests/activities' sign-ups, tests/checkins' safety check-ins).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import insert, select

from portal.accounts.models import User

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, secret_key: str, upload_dir: str, workers: int = 4,
             threads: int = 4):
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": secret_key,
           "PORTAL_UPLOAD_DIR": upload_dir, "PORTAL_DEVELOPMENT": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _body, _headers = request("127.0.0.1", port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def request(host, port, method, path, body=None, cookie=None):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Accept-Language": "zh-CN"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), dict(
            response.getheaders())
    finally:
        connection.close()


def make_residents(session, count: int, password_hash: str, prefix: str = "1390") -> list[int]:
    start = session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0
    rows = [{"phone": f"{prefix}{start + n:07d}", "name": f"居民{start + n}",
             "password_hash": password_hash, "role": "resident", "building": "1号楼",
             "unit": "1单元", "room": str(100 + n)} for n in range(count)]
    session.execute(insert(User), rows)
    session.commit()
    phones = [row["phone"] for row in rows]
    return list(session.scalars(select(User.id).where(User.phone.in_(phones)).order_by(User.id)))


def session_cookies(app, session, user_ids) -> dict[int, tuple[str, str]]:
    """A signed session cookie and a CSRF token for each user, as a login would leave."""
    cookies = {}
    serializer = app.session_interface.get_signing_serializer(app)
    users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
    for user_id in user_ids:
        with app.test_request_context():
            flask_session["_user_id"] = users[user_id].get_id()
            flask_session["_fresh"] = True
            token = generate_csrf()
            value = serializer.dumps(dict(flask_session))
        cookies[user_id] = (f"{app.config['SESSION_COOKIE_NAME']}={value}", token)
    return cookies


@dataclass
class WaveResult:
    statuses: dict[int, int]  # user id -> final HTTP status
    retries: int
    seconds: float


def post_all(port, cookies, path: str, fields: Callable[[int], str] = lambda _user_id: "",
             threads: int = 32) -> WaveResult:
    """POST ``path`` for every user at once (their CSRF token and ``fields(user_id)`` as the
    body); a 503 is retried as a person would, after its Retry-After."""
    retries = 0

    def one(user_id):
        nonlocal retries
        cookie, token = cookies[user_id]
        body = f"csrf_token={token}" + (f"&{fields(user_id)}" if fields(user_id) else "")
        while True:
            status, _html, headers = request("127.0.0.1", port, "POST", path, body, cookie)
            if status != 503:
                return user_id, status
            retries += 1
            time.sleep(float(headers.get("Retry-After", "1")))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = dict(pool.map(one, list(cookies)))
    return WaveResult(results, retries, time.perf_counter() - started)
