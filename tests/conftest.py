"""Shared fixtures: the app, a clean database per test, clients signed in as anyone, and a
query counter. The suite runs on SQLite, or on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, text

import portal.models  # noqa: F401 - the whole schema
from portal import create_app
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.cli import compile_catalogues, upgrade_database
from portal.db import Base, make_engine
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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
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


def _empty_all_tables(engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def make_app(test_config, migrated):
    """Build an app with extra settings; every table is emptied after the test."""
    apps = []

    def build(**overrides):
        app = create_app({**test_config, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        _empty_all_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


@pytest.fixture
def app(make_app):
    # No app context stays pushed: a request would reuse it, and share `g` with the test.
    return make_app()


@pytest.fixture
def db(app):
    """A session of the test's own, apart from the sessions the requests use."""
    session = app.extensions["db_sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def app_context(app):
    """For tests that call code needing current_app directly (not through a request)."""
    with app.app_context():
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
