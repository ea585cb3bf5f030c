"""Text search for requests and minutes, and indexes that keep every queue filter, the
staff-home counts and the board's figures as fast at a million requests as at ten thousand

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:10:00

The search documents of existing requests and meetings are built here, with a copy of the
tokenizer in portal/search/service.py as it was when this was written (a migration never
imports the application).
"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'accepted', 'in_progress')"
ORDER = ["priority", "created_at", "id"]
FULL_INDEXES = [
    ("ix_service_request_resolved_at", ["resolved_at"]),
    ("ix_service_request_rated_at", ["rated_at", "rating"]),
    ("ix_service_request_role_order", ["role", *ORDER]),
    ("ix_service_request_category_order", ["category_id", *ORDER]),
    ("ix_service_request_building_order", ["building", *ORDER]),
    ("ix_service_request_assignee_order", ["assignee_id", *ORDER]),
]
OPEN_INDEXES = [
    ("ix_service_request_open", ORDER),
    ("ix_service_request_open_role", ["role", *ORDER]),
    ("ix_service_request_open_category", ["category_id", *ORDER]),
    ("ix_service_request_open_assignee", ["assignee_id", *ORDER]),
    ("ix_service_request_open_building", ["building", *ORDER]),
    ("ix_service_request_open_counts", ["role", "assignee_id", "flagged", "status", "resolve_by",
                                        "respond_by", "first_response_at"]),
]

# One FTS5 table per kind, so that a word common in requests costs a minutes search nothing;
# each reads its text from search_document (external content), kept in step by triggers.
KINDS = ("request", "meeting")


def _sqlite_ddl(kind):
    table = f"search_fts_{kind}"
    insert = f"INSERT INTO {table}(rowid, tokens) VALUES (new.id, new.tokens)"  # noqa: S608
    delete = (f"INSERT INTO {table}({table}, rowid, tokens) "  # noqa: S608
              "VALUES ('delete', old.id, old.tokens)")
    return (
        f"CREATE VIRTUAL TABLE {table} USING fts5(tokens, content='search_document', "
        "content_rowid='id', tokenize='unicode61', detail='full')",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON search_document "
        f"WHEN new.kind = '{kind}' BEGIN {insert}; END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON search_document "
        f"WHEN old.kind = '{kind}' BEGIN {delete}; END",
        f"CREATE TRIGGER {table}_update_old AFTER UPDATE ON search_document "
        f"WHEN old.kind = '{kind}' BEGIN {delete}; END",
        f"CREATE TRIGGER {table}_update_new AFTER UPDATE ON search_document "
        f"WHEN new.kind = '{kind}' BEGIN {insert}; END",
    )


SQLITE_DDL = tuple(statement for kind in KINDS for statement in _sqlite_ddl(kind))
POSTGRESQL_DDL = (
    "CREATE INDEX ix_search_document_tokens ON search_document "
    "USING gin (to_tsvector('simple', tokens))",
)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"(?P<han>[{_HAN}]+)|(?:(?![{_HAN}])[^\W_])+")


def _tokens(*texts):
    out = []
    for value in texts:
        value = unicodedata.normalize("NFKC", value or "").lower()
        for match in _PIECES.finditer(value):
            run = match.group()
            out.extend([run[i:i + 2] for i in range(len(run))] if match.group("han") else [run])
    return " ".join(out)


def _fill_documents(bind) -> None:
    document = sa.table("search_document", sa.column("kind"), sa.column("object_id"),
                        sa.column("tokens"))
    sources = (
        ("request", "SELECT id, description, ref FROM service_request ORDER BY id"),
        ("meeting", "SELECT id, title, place, agenda, minutes FROM meeting ORDER BY id"),
    )
    for kind, query in sources:
        # yield_per on the statement, not the connection: on the connection it would stay,
        # and send the DDL after it through a server-side cursor on PostgreSQL.
        result = bind.execute(sa.text(query).execution_options(yield_per=5000))
        for rows in result.partitions():
            bind.execute(document.insert(), [
                {"kind": kind, "object_id": row[0], "tokens": _tokens(*row[1:])}
                for row in rows])


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_object', ['kind', 'object_id'], unique=True)
    for statement in SQLITE_DDL if bind.dialect.name == "sqlite" else POSTGRESQL_DDL:
        op.execute(statement)
    _fill_documents(bind)

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        # The board's month figures read created_at with first_response_at from the index.
        batch_op.drop_index('ix_service_request_created')
        batch_op.create_index('ix_service_request_created', ['created_at', 'first_response_at'],
                              unique=False)
        for name, columns in FULL_INDEXES:
            batch_op.create_index(name, columns, unique=False)
        for name, columns in OPEN_INDEXES:
            batch_op.create_index(name, columns, unique=False,
                                  sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    # The board's minutes fingerprint: the newest change is the last entry of an index.
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_updated', ['updated_at'], unique=False)
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index('ix_resolution_updated', ['updated_at'], unique=False)
    # Without statistics SQLite's planner can't tell that the partial indexes over open
    # requests are small, and picks a status index and a sort instead.
    op.execute("ANALYZE")


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_updated')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_updated')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        for name, _columns in reversed(FULL_INDEXES + OPEN_INDEXES):
            batch_op.drop_index(name)
        batch_op.drop_index('ix_service_request_created')
        batch_op.create_index('ix_service_request_created', ['created_at'], unique=False)
    if bind.dialect.name == "sqlite":
        for kind in KINDS:  # their triggers go with search_document
            op.execute(f"DROP TABLE search_fts_{kind}")
    else:
        op.execute("DROP INDEX ix_search_document_tokens")
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index('ix_search_document_object')
    op.drop_table('search_document')
