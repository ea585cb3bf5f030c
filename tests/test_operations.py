"""Operations: scripts/start serves from PORT and PORTAL_DATABASE_URL with the shipped gunicorn
config and a worker, and survives slow clients; faults lock nobody out (Redis down, a 500);
PostgreSQL refuses to start without a data key; logs carry a request id and no personal data;
/metrics is off by default and never public."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, func, select

from portal import create_app
from portal.accounts.models import AuthAttempt
from portal.config import ROOT, MissingDataKey
from portal.db import Base
from portal.web.logs import scrub
from tests.conftest import TEST_PASSWORD, csrf_token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_scripts_start_serves_on_port_and_survives_slow_clients(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "LINLI_SKIP_INSTALL": "1", "PORTAL_DEMO": "false",
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
           "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "WEB_CONCURRENCY": "2",
           "GUNICORN_CONTROL_SOCKET": str(tmp_path / "gunicorn.ctl")}
    log = (tmp_path / "start.log").open("w+")
    process = subprocess.Popen(["bash", str(ROOT / "scripts" / "start")], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = r.status
                    break
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "start.log").read_text()
        assert health == 200, output
        assert f"Linli is running at http://127.0.0.1:{port}" in output
        assert "start.sqlite3" in output
        slow = subprocess.run([sys.executable, str(ROOT / "scripts" / "slowloris.py"), "--url",
                               f"http://127.0.0.1:{port}", "--connections", "8",
                               "--seconds", "6"], capture_output=True, text=True, timeout=60)
        assert slow.returncode == 0, slow.stdout + slow.stderr
        worker_line = re.compile(r"portal\.jobs: worker \S+ running \d+ job")
        for _ in range(40):  # the worker starts beside gunicorn
            if worker_line.search((tmp_path / "start.log").read_text()):
                break
            time.sleep(0.25)
        assert worker_line.search((tmp_path / "start.log").read_text())
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _sign_in(client, user, password):
    return client.post("/auth/login", data={"csrf_token": csrf_token(client), "phone": user.phone,
                                            "password": password})


def test_redis_down_signs_in_with_memory_limits_and_health_says_degraded(make_app, db,
                                                                        make_user, caplog):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens there
    user = make_user()
    client = app.test_client()
    assert _sign_in(client, user, "wrong password").status_code == 422
    assert _sign_in(client, user, TEST_PASSWORD).status_code == 303
    with caplog.at_level(logging.WARNING):
        health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "degraded", "database": "ok", "uploads": "ok",
                                 "rate_limits": "degraded"}
    assert "counting in memory" in caplog.text


def test_redis_up_is_ok(make_app):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert app.test_client().get("/healthz").get_json()["rate_limits"] == "ok"


def test_a_500_during_sign_in_is_not_counted(test_config, tmp_path):
    """The database fails in the middle of a sign-in (its user table is gone): 500s, and
    not one of them counts towards the limits."""
    url = f"sqlite:///{tmp_path / 'broken.sqlite3'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine, tables=[AuthAttempt.__table__])
    app = create_app({**test_config, "DATABASE_URL": url, "TESTING": False,
                      "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT_PER_IP": "3 per 15 minutes"})
    client = app.test_client()
    try:
        for _ in range(10):
            response = client.post("/auth/login", data={"phone": "13700009999",
                                                         "password": "whatever it is"})
            assert response.status_code == 500
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(AuthAttempt)) == 0
    finally:
        app.extensions["db_engine"].dispose()
        engine.dispose()


def test_postgresql_without_a_data_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_DATA_KEY", raising=False)
    with pytest.raises(MissingDataKey, match="PORTAL_DATA_KEY"):
        create_app({"DATABASE_URL": "postgresql+psycopg://linli@127.0.0.1:1/linli"})
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_DATA_KEY"}
    env["PORTAL_DATABASE_URL"] = "postgresql+psycopg://linli@127.0.0.1:1/linli"
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "portal", "init"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "export PORTAL_DATA_KEY" in result.stderr and "the same one" in result.stderr


def test_scrub_removes_id_and_mobile_numbers():
    line = "GET /x?id=11010519491231002X&phone=13812345678&n=12345 ref R20261203-0001"
    assert scrub(line) == "GET /x?id=[id-number]&phone=[phone]&n=12345 ref R20261203-0001"


def test_every_answer_has_a_request_id_and_errors_are_logged_with_it(make_app, caplog):
    app = make_app(TESTING=False)

    @app.get("/boom-for-the-test")
    def boom():
        raise RuntimeError("the customer 13812345678 broke it")

    client = app.test_client()
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", client.get("/healthz").headers["X-Request-ID"])
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom-for-the-test", headers={"X-Request-ID": "proxy-given-1234"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "proxy-given-1234"
    record = next(r for r in caplog.records if r.exc_info)
    assert record.request_id == "proxy-given-1234"
    assert "[request proxy-given-1234]" in record.getMessage()
    assert "13812345678" not in record.exc_text and "[phone]" in record.exc_text


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_only_for_allowed_addresses_or_the_token(make_app):
    app = make_app(METRICS_ENABLED=True, METRICS_ALLOWED_ADDRESSES=["10.0.0.5"],
                   METRICS_TOKEN="scrape-token-for-the-test")
    client = app.test_client()
    client.get("/healthz")
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not on the list
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
    scraped = client.get("/metrics", environ_base=outside,
                         headers={"Authorization": "Bearer scrape-token-for-the-test"})
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"
    text = scraped.get_data(as_text=True)
    assert 'portal_requests_total{endpoint="web.healthz",method="GET",status="200"}' in text
    assert "portal_request_duration_seconds_bucket" in text
    allowed = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert allowed.status_code == 200


def test_the_log_guard_catches_what_it_must():
    """The guard around every test (tests/conftest.py) sees a record that escaped scrubbing."""
    from tests.log_guard import PersonalDataGuard

    guard = PersonalDataGuard()
    for message in ("phone 13812345678 signed in", "id 11010519491231002X",
                    "id 110105194912310021 again"):
        guard.handle(logging.LogRecord("x", logging.INFO, __file__, 1, message, None, None))
    guard.handle(logging.LogRecord("x", logging.INFO, __file__, 1, "ref %s", ("R20261203-0001",),
                                   None))
    assert len(guard.offending) == 3
