"""Declarative base, engine and session life cycle, shared column types."""

from __future__ import annotations

from datetime import UTC

from flask import Flask, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, Text, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from portal import crypto

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Indexes over an expression, created by an area's migration and named here by its models:
# a model can't describe them in a way every database reflects alike, so autogenerate and
# the schema test leave them be (portal.search.schema.include_object).
UNMODELLED_INDEXES: set[str] = set()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(TypeDecorator):
    """Text kept encrypted at rest under PORTAL_DATA_KEY (the Fernet of portal/crypto.py):
    for sensitive personal information (PIPL Art. 28) a stolen database must not reveal.
    It cannot be searched or sorted by; keep what a query needs in a plain column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else crypto.encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else crypto.decrypt(value)


def _tune_sqlite(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One engine per app; one session per request (or per app context outside requests)."""

    _ATTR = "_portal_db_session"

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["db_engine"] = engine
        app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.teardown_request(self._close_request_session)
        app.teardown_appcontext(self._close_context_session)

    @property
    def engine(self) -> Engine:
        from flask import current_app

        return current_app.extensions["db_engine"]

    @property
    def sessions_engine(self) -> Engine:
        """The engine the request sessions are bound to (a test may rebind them)."""
        from flask import current_app

        return current_app.extensions["db_sessionmaker"].kw["bind"]

    @staticmethod
    def _holder():
        # A request keeps its own session even when it runs inside an app context that was
        # already pushed (as in tests and CLI commands), so requests never share state.
        return request._get_current_object() if has_request_context() else g

    @property
    def session(self) -> Session:
        from flask import current_app

        holder = self._holder()
        session = getattr(holder, self._ATTR, None)
        if session is None:
            session = current_app.extensions["db_sessionmaker"]()
            setattr(holder, self._ATTR, session)
        return session

    def _close_request_session(self, _exc=None) -> None:
        session = request._get_current_object().__dict__.pop(self._ATTR, None)
        if session is not None:
            session.close()

    def _close_context_session(self, _exc=None) -> None:
        session = g.pop(self._ATTR, None)
        if session is not None:
            session.close()


class DatabaseBusy(Exception):
    """A write lock could not be had in time: the person should simply try again."""


LOCK_TIMEOUT = "3s"


def is_busy(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None)
    # 55P03 lock_not_available (lock_timeout), 40P01 deadlock; SQLite says "database is locked".
    return code in {"55P03", "40P01"} or "database is locked" in str(error.orig).lower()


def upsert(session: Session, model):
    """``INSERT`` into ``model`` in the session's own dialect, which can say
    ``.on_conflict_do_update(...)``: one atomic statement where many writers meet (a daily
    counter, a check-in answer, a survey's tallies), never a check-then-insert."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)


def lock_row(session: Session, model, row_id: int):
    """Start a write transaction that holds ``model``'s row ``row_id`` until commit/rollback.

    PostgreSQL: SELECT ... FOR UPDATE with a 3-second lock timeout. SQLite: BEGIN IMMEDIATE,
    which takes the database's single write lock (pysqlite would otherwise begin lazily and
    only at the first write, after our reads). If pysqlite already began the transaction, it
    did so for a write that holds that same lock, so there is nothing more to take.
    Returns the freshly loaded row (None if missing); raises DatabaseBusy on a timeout.
    """
    connection = session.connection()
    try:
        if connection.dialect.name == "sqlite":
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            statement = select(model).where(model.id == row_id)
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            statement = select(model).where(model.id == row_id).with_for_update(of=model)
        return session.scalar(statement.execution_options(populate_existing=True))
    except OperationalError as error:
        if is_busy(error):
            session.rollback()
            raise DatabaseBusy() from error
        raise


def bounded_count(column, *conditions, limit: int):
    """How many rows meet the conditions, counting at most ``limit + 1`` (index) entries: a
    scalar subquery, so that a panel's counts share one statement. A value above ``limit``
    means "more than limit"; the cost is the same at a million rows as at a thousand."""
    from sqlalchemy import func

    return select(func.count()).select_from(
        select(column).where(*conditions).limit(limit + 1).subquery()).scalar_subquery()
