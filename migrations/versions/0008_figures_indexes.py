"""Figures: one index that answers a period's rates alone, and one that gives a rating's
request its narrowing columns; the two the board's old month figures read are dropped (the
first is the new index's prefix, the second nothing reads any more)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:17:50.137235
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


NEW = {'ix_service_request_figures': ['created_at', 'status', 'first_response_at', 'respond_by',
                                       'resolved_at', 'resolve_by', 'role', 'category_id',
                                       'building', 'assignee_id'],
       'ix_service_request_narrowing': ['id', 'role', 'category_id', 'building', 'assignee_id']}
OLD = {'ix_service_request_rated_at': ['rated_at', 'rating'],
       'ix_service_request_created': ['created_at', 'first_response_at']}


def _swap(create: dict, drop: dict) -> None:
    """On PostgreSQL the indexes are built CONCURRENTLY, outside the migration's transaction:
    at 1,000,000 requests a plain CREATE INDEX held every new request and reply for about
    3 s. SQLite has no such option; its build is short and locks the file either way."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, columns in create.items():
                op.create_index(name, 'service_request', columns,
                                postgresql_concurrently=True)
            for name in drop:
                op.drop_index(name, table_name='service_request',
                              postgresql_concurrently=True)
        return
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        for name, columns in create.items():
            batch_op.create_index(name, columns, unique=False)
        for name in drop:
            batch_op.drop_index(name)


def upgrade() -> None:
    _swap(NEW, OLD)
    # SQLite's planner weighs an index by its statistics: without them it keeps reading the
    # month through the older, narrower indexes and the table.
    op.execute("ANALYZE service_request")


def downgrade() -> None:
    _swap(OLD, NEW)
