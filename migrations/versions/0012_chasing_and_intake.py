"""Chasing, escalation and intake by phone, visit, patrol and hotline: the contact staff took for
someone with no account, the urge and its deadline, the escalation, the street office's
reference; the channel's filter and breakdown in the queue and figures indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:58:38.247194
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'accepted', 'in_progress')"
FIGURES = ['created_at', 'status', 'first_response_at', 'respond_by', 'resolved_at',
           'resolve_by', 'role', 'category_id', 'building', 'assignee_id']
NARROWING = ['id', 'role', 'category_id', 'building', 'assignee_id']
COLUMNS = (
    ('contact_name', sa.String(length=40)),
    ('contact_phone', sa.String(length=11)),
    ('urged_at', sa.DateTime(timezone=True)),
    ('urge_due_at', sa.DateTime(timezone=True)),
    ('escalated_at', sa.DateTime(timezone=True)),
    ('street_ref', sa.String(length=60)),
    ('street_at', sa.DateTime(timezone=True)),
)


NEW_INDEXES = {
    'ix_service_request_figures': ([*FIGURES, 'channel'], None),
    'ix_service_request_narrowing': ([*NARROWING, 'channel'], None),
    'ix_service_request_channel_order': (['channel', 'priority', 'created_at', 'id'], None),
    'ix_service_request_open_channel': (['channel', 'priority', 'created_at', 'id'], OPEN),
    'ix_service_request_escalation': (['escalated_at', 'resolve_by', 'respond_by',
                                       'first_response_at'], OPEN),
}
OLD_INDEXES = {'ix_service_request_figures': (FIGURES, None),
               'ix_service_request_narrowing': (NARROWING, None)}


def _swap_indexes(drop, create) -> None:
    """CONCURRENTLY on PostgreSQL, outside the migration's transaction, so the upgrade never
    holds new requests (DESIGN.md, Migrations); SQLite has no such option."""
    concurrently = op.get_bind().dialect.name == "postgresql"

    def run():
        for name in drop:
            op.drop_index(name, table_name='service_request',
                          postgresql_concurrently=concurrently)
        for name, (columns, where) in create.items():
            where = sa.text(where) if where else None
            op.create_index(name, 'service_request', columns, sqlite_where=where,
                            postgresql_where=where, postgresql_concurrently=concurrently)

    if concurrently:
        with op.get_context().autocommit_block():
            run()
    else:
        run()


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy of the whole table: the requests table is the
    # largest, and its partial indexes must keep their WHERE.
    op.add_column('request_event', sa.Column('due_at', sa.DateTime(timezone=True),
                                             nullable=True))
    for name, type_ in COLUMNS:
        op.add_column('service_request', sa.Column(name, type_, nullable=True))
    _swap_indexes(OLD_INDEXES, NEW_INDEXES)


def downgrade() -> None:
    _swap_indexes(NEW_INDEXES, OLD_INDEXES)
    # SQLite drops a column only by copying the table; there nothing else refers to these.
    with op.batch_alter_table('service_request') as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('request_event') as batch_op:
        batch_op.drop_column('due_at')
