"""Alembic environment: the models' metadata, the URL from the app's configuration."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import portal.models  # noqa: F401 - imports every model so the metadata is complete
from portal.db import Base, UTCDateTime
from portal.search.schema import include_object

config = context.config
target_metadata = Base.metadata


def render_item(kind, obj, autogen_context):
    """Write the portal's own column types as plain SQLAlchemy ones, so that a migration never
    imports application code that may later be renamed or removed."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True, render_item=render_item,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, render_item=render_item,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
