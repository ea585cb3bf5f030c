"""The data set: built with `portal demo --requests N` unless the database already has it,
and the signed-in sessions the measures use (forged in-process with the app's own key)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from flask import session
from flask_login import login_user
from sqlalchemy import create_engine, func, make_url, select, text

from benchkit.measures import USER_AGENT

ROOT = Path(__file__).resolve().parents[2]


def default_sqlite_url(requests: int) -> str:
    return f"sqlite:///{ROOT / 'instance' / f'bench-{requests}.sqlite3'}"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database the bench was pointed at, if it is not there yet."""
    if not url.startswith("postgresql"):
        return
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": target.database}).scalar()
        if not exists:
            name = target.database.replace('"', '""')
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def request_count(app) -> int:
    from portal.service_requests.models import ServiceRequest

    with app.app_context():
        db_session = app.extensions["db_sessionmaker"]()
        try:
            return db_session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        except Exception:  # noqa: BLE001 - no schema yet: build it
            return 0
        finally:
            db_session.close()


def build(requests: int, env: dict) -> float:
    """Fill the database in a child process, as an operator would; returns the seconds."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "portal"]
    started = time.perf_counter()
    subprocess.run([*flask, "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*flask, "demo", "--requests", str(requests)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def session_cookies(app) -> dict[str, str]:
    """A session cookie for the director and for the resident with the most requests."""
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.clock import utcnow
    from portal.service_requests.models import ServiceRequest

    cookies = {}
    with app.app_context():
        db_session = app.extensions["db_sessionmaker"]()
        director = db_session.scalar(
            select(User).where(User.role == Role.DIRECTOR.value).limit(1))
        busiest = db_session.scalar(
            select(ServiceRequest.owner_id).group_by(ServiceRequest.owner_id)
            .order_by(func.count().desc()).limit(1))
        resident = db_session.get(User, busiest)
        serializer = app.session_interface.get_signing_serializer(app)
        for who, user in (("director", director), ("resident", resident)):
            with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                          headers={"User-Agent": USER_AGENT}):
                user.signed_in_at = utcnow()
                login_user(user)
                cookies[who] = serializer.dumps(dict(session))
        db_session.close()
    return cookies


def cookie_header(app, cookies: dict[str, str], who: str) -> str | None:
    if who not in cookies:
        return None
    return f"{app.config['SESSION_COOKIE_NAME']}={cookies[who]}"


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env["PORTAL_DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(ROOT)
    if database_url.startswith("postgresql") and not env.get("PORTAL_DATA_KEY"):
        # PostgreSQL needs the data key given; the bench keeps its own in the instance folder
        # so that a data set built once is read with the same key every later run.
        from portal.config import fernet_key, instance_secret

        (ROOT / "instance").mkdir(exist_ok=True)
        env["PORTAL_DATA_KEY"] = instance_secret(ROOT / "instance" / "bench-data_key",
                                                 make=fernet_key)
    return env
