"""The migrations build exactly the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

import portal.models  # noqa: F401
from portal import create_app
from portal.cli import alembic_config
from portal.db import Base, make_engine
from portal.search.schema import include_object


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

        command.downgrade(config, "base")
        remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()

        command.upgrade(config, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
