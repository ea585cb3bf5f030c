"""Shared fixtures: the app (one per run, restored after each test), a clean database per test,
clients signed in as anyone, and a query counter. The suite runs on SQLite, or on PostgreSQL
when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import g, request_started
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

import portal.models  # noqa: F401 - the whole schema
from portal import create_app
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.cli import compile_catalogues, upgrade_database
from portal.db import Base, make_engine
from portal.registry import registry
from tests.log_guard import PersonalDataGuard

TEST_PASSWORD = "correct horse battery"
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS1vbmx5LWZvci10aGUtc3VpdGU="
# Servers and workers the tests start as processes inherit it: on PostgreSQL the app refuses to
# start without an explicit data key.
os.environ.setdefault("PORTAL_DATA_KEY", TEST_DATA_KEY)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(scope="session")
def personal_data_guard():
    """Every log record of the run, at INFO and above from every logger, goes past the guard.
    (SQLAlchemy's own statement log stays off, as in production.)"""
    guard = PersonalDataGuard()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(guard)
    root.setLevel(logging.INFO)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    yield guard
    root.removeHandler(guard)
    root.setLevel(previous)


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(personal_data_guard):
    """Fails the test during which a log record held an ID number or a mobile number."""
    seen = len(personal_data_guard.offending)
    yield
    found = personal_data_guard.offending[seen:]
    if found:
        pytest.fail("a log record holds personal data:\n" + "\n".join(found[:5]),
                    pytrace=False)


def pytest_report_header():
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    return f"database: {url or 'SQLite (temporary file)'}"


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (``test_gw0``, …),
    created on first use, since every test empties all the tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = _database_of_this_worker(url)
    engine = make_engine(url)
    with engine.begin() as connection:  # start from an empty schema
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def test_config(database_url, tmp_path_factory):
    return {
        "TESTING": True,
        "DEVELOPMENT": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-only-for-the-test-suite",
        "DATA_KEY": TEST_DATA_KEY,
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": "1000 per minute",
        "LOGIN_RATE_LIMIT_PER_IP": "1000 per minute",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # Deadlines as plain hours, so a test's "3 hours ago" means the same at any hour of the
        # run; tests/service_requests/test_office_hours.py sets the office's hours.
        "OFFICE_HOURS": "",
    }


@pytest.fixture(scope="session")
def migrated(test_config):
    """The schema, built by the migrations themselves, once per run."""
    app = create_app(test_config)
    with app.app_context():
        upgrade_database()
        compile_catalogues()
    app.extensions["db_engine"].dispose()
    return True


_SEQUENCES: dict[str, list[str]] = {}


def _empty_all_tables(engine) -> None:
    """Delete every row, children first, in one round trip; PostgreSQL's ids start again at 1.

    DELETE rather than TRUNCATE: truncating some forty tables took PostgreSQL a second or more
    per test, deleting their few rows a few milliseconds. The append-only triggers of the audit
    logs are skipped for this (session_replication_role), as TRUNCATE skipped them.
    """
    deletes = "".join(f'DELETE FROM "{table.name}";'  # noqa: S608 - our own table names
                      for table in reversed(Base.metadata.sorted_tables))
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "postgresql":
            if engine.url not in _SEQUENCES:
                cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' "
                               "AND relnamespace = 'public'::regnamespace")
                _SEQUENCES[engine.url] = [row[0] for row in cursor.fetchall()]
            restart = ", ".join(f"setval('\"{name}\"', 1, false)"
                                for name in _SEQUENCES[engine.url])
            cursor.execute("SET LOCAL session_replication_role = replica;" + deletes
                           + (f"SELECT {restart};" if restart else ""))
            connection.commit()
        else:
            cursor.executescript(f"BEGIN;{deletes}COMMIT;")
    finally:
        connection.close()


@pytest.fixture(scope="session")
def shared_app(test_config, migrated):
    """One app per run: building one (every blueprint, every area) costs more than most tests."""
    app = create_app(test_config)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def clean_database(shared_app):
    """Every table is emptied after the test, whichever app (or server process) wrote to it."""
    yield
    _empty_all_tables(shared_app.extensions["db_engine"])


@contextmanager
def _restored(app):
    """Undo what a test changes on the shared app: settings, the clock, extension points."""
    config = dict(app.config)
    extensions = dict(app.extensions)
    extension_points = {name: copy.copy(value) for name, value in vars(registry(app)).items()}
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        for name, value in extension_points.items():
            setattr(registry(app), name, value)


@pytest.fixture
def make_app(test_config, clean_database):
    """Build an app of its own, for a test that needs other settings at start-up."""
    apps = []

    def build(**overrides):
        app = create_app({**test_config, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def fresh_app(shared_app, clean_database):
    """The shared app, as it was built: for a fixture that overrides `app` to build on it."""
    # No app context stays pushed: a request would reuse it, and share `g` with the test.
    with _restored(shared_app):
        yield shared_app


@pytest.fixture
def app(fresh_app):
    return fresh_app


@pytest.fixture
def db(app):
    """A session of the test's own, apart from the sessions the requests use."""
    session = app.extensions["db_sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def app_context(app):
    """For tests that call code needing current_app directly (not through a request).

    A test client's requests made meanwhile run in this same app context, so they share its
    ``g``: each request starts without the signed-in user the one before loaded, as each
    request in a real server does (two clients in one test are two people)."""
    def forget_the_user(_sender, **_extra):
        g.pop("_login_user", None)

    with app.app_context(), request_started.connected_to(forget_the_user, app):
        yield app


@pytest.fixture(scope="session")
def password_hash():
    return hash_password(TEST_PASSWORD)  # hashed once: argon2 is slow on purpose


@pytest.fixture
def make_user(db, password_hash):
    counter = iter(range(1, 10_000))

    def build(role: Role | str = Role.RESIDENT, **fields) -> User:
        number = next(counter)
        role = Role(role)
        values = {
            "phone": f"1370000{number:04d}",
            "name": f"{role.value} {number}",
            "password_hash": password_hash,
            "role": role.value,
        }
        if role is Role.RESIDENT:
            values.update(building="3号楼", unit="2单元", room=f"{500 + number}")
        values.update(fields)
        user = User(**values)
        db.add(user)
        db.commit()
        return user

    return build


@pytest.fixture
def demo_accounts(make_user):
    """demo_accounts() adds the accounts `portal demo` would make, with the run's password
    hash: the demo then finds them and runs no argon2 of its own."""
    from portal.accounts import demo

    def build() -> None:
        for phone, name, role in demo.STAFF:
            make_user(role, phone=phone, name=name)
        for phone, name, building, unit, room in demo.RESIDENTS:
            make_user(Role.RESIDENT, phone=phone, name=name, building=building, unit=unit,
                      room=room)

    return build


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def resident(make_user):
    return make_user(Role.RESIDENT)


@pytest.fixture
def resident_client(app, resident):
    client = app.test_client()
    sign_in(client, resident)
    return client


@pytest.fixture
def staff_client(app, make_user):
    """staff_client(role) -> a client signed in as a new staff member of that role."""

    def build(role: Role | str = Role.DIRECTOR, **fields):
        user = make_user(role, **fields)
        client = app.test_client()
        sign_in(client, user)
        client.user = user
        return client

    return build


def csrf_token(client, path: str = "/auth/login") -> str:
    """A valid CSRF token for this client's session, read from a real page."""
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no csrf token on {path}"
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf():
    return csrf_token


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """with count_queries() as log: ... ; log.count is the number of SQL statements run."""
    engine = app.extensions["db_engine"]

    @contextmanager
    def counting():
        log = QueryLog()

        def record(_conn, _cursor, statement, *_args):
            log.statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
