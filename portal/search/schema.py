"""The parts of the full-text index that live outside the models, and how Alembic leaves them
be.

Neither an FTS5 virtual table (with its shadow tables and the triggers that keep it in step
with ``search_document``) nor an expression GIN index can be described by a model, so
migration 0005 creates them, and ``include_object`` keeps autogenerate and the schema test
from asking to drop them; so it does for every index an area names in
``portal.db.UNMODELLED_INDEXES`` (an expression index its migration creates).
"""

from __future__ import annotations

from portal.db import UNMODELLED_INDEXES

FTS_TABLE = "search_fts"  # SQLite: search_fts_<kind>, fts5(tokens), content search_document
# The kinds with an FTS5 table of their own: a new kind needs a migration that adds one.
KINDS = ("request", "meeting")
PG_INDEX = "ix_search_document_tokens"  # PostgreSQL: gin (to_tsvector('simple', tokens))


def sqlite_insert_trigger(kind: str) -> tuple[str, str]:
    """(name, CREATE statement) of the trigger that indexes a new document of this kind, as
    migration 0005 made it: ``search.service.bulk_documents`` sets it aside for a bulk load."""
    table = f"{FTS_TABLE}_{kind}"
    name = f"{table}_insert"
    return name, (f"CREATE TRIGGER {name} AFTER INSERT ON search_document "  # noqa: S608
                  f"WHEN new.kind = '{kind}' BEGIN INSERT INTO {table}(rowid, tokens) "
                  f"VALUES (new.id, new.tokens); END")


def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False  # the FTS5 table and its shadow tables
    return not (type_ == "index" and (name == PG_INDEX or name in UNMODELLED_INDEXES))
