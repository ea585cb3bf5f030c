"""The migrations build exactly the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

import portal.models  # noqa: F401
from portal import create_app
from portal.cli import alembic_config
from portal.db import Base, make_engine
from portal.search.schema import include_object
from portal.service_requests.models import DEADLINE_INDEXES


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own, so that downgrading doesn't touch the suite's schema."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"linli_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(str(make_url(url).set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


# SQLite can't reflect an expression index (the deadline order's): the test below checks
# those by name instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_matches_models_and_downgrade_unwinds(empty_database_url, test_config):
    app = create_app({**test_config, "DATABASE_URL": empty_database_url})
    engine = app.extensions["db_engine"]
    with app.app_context():
        config = alembic_config()
        command.upgrade(config, "head")
        command.upgrade(config, "head")  # running it twice is harmless

        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True,
                                  "include_object": include_object})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], differences
        assert set(DEADLINE_INDEXES) <= _index_names(engine)

        command.downgrade(config, "base")
        remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()

        command.upgrade(config, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        command.downgrade(config, "0013")  # down through the deadline order's migration
        assert not set(DEADLINE_INDEXES) & _index_names(engine)
    engine.dispose()


def _index_names(engine) -> set[str]:
    """Every index of service_request, expression indexes too (which SQLite can't reflect)."""
    query = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
             "'service_request'" if engine.dialect.name == "sqlite" else
             "SELECT indexname FROM pg_indexes WHERE tablename = 'service_request'")
    with engine.connect() as connection:
        return set(connection.scalars(text(query)))


def test_aid_audit_rows_move_into_the_one_audit_log(empty_database_url, test_config,
                                                    password_hash):
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from portal.aid.models import AidApplication, AidType
    from portal.aid.service import seed_types

    app = create_app({**test_config, "DATABASE_URL": empty_database_url})
    engine = app.extensions["db_engine"]
    with app.app_context():
        config = alembic_config()
        command.upgrade(config, "0002")
        with Session(engine) as session:
            # The user table as it was at 0002: later columns (care_mode, …) are not there yet.
            session.execute(text(
                'INSERT INTO "user" (phone, name, password_hash, role, active, session_token, '
                "created_at) VALUES ('13900000002', '李民政', :hash, 'civil_affairs', :on, "
                "'token', :at)"), {"hash": password_hash, "on": True,
                                   "at": datetime(2026, 11, 1, tzinfo=UTC)})
            staff_id = session.scalar(text('SELECT id FROM "user" WHERE phone = \'13900000002\''))
            seed_types(session)
            dibao = session.scalar(select(AidType).where(AidType.code == "dibao"))
            session.flush()
            application = AidApplication(key="dkey", start_key="skey", applicant_id=staff_id,
                                         type_id=dibao.id, stage="submitted",
                                         sections_done=[], ref="A20261102-0001")
            session.add(application)
            session.flush()
            at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
            for action, application_id, detail in (("view", application.id, ""),
                                                   ("return_form", application.id, "户口簿"),
                                                   ("search", None, "ID number lookup")):
                session.execute(text(
                    "INSERT INTO aid_audit (at, actor_id, application_id, action, detail) "
                    "VALUES (:at, :actor, :application, :action, :detail)"),
                    {"at": at, "actor": staff_id, "application": application_id,
                     "action": action, "detail": detail})
            session.commit()

        command.upgrade(config, "head")
        assert "aid_audit" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT area, action, target, detail FROM audit_entry ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("aid", "view", "A20261102-0001", ""),
            ("aid", "return", "A20261102-0001", "户口簿"),
            ("aid", "search", "", "ID number lookup")]

        command.downgrade(config, "0002")
        assert "aid_audit" in inspect(engine).get_table_names()
        command.downgrade(config, "base")
    engine.dispose()
