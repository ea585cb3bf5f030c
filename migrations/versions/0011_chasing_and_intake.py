"""Chasing, escalation and intake by phone, visit, patrol and hotline: the contact staff took for
someone with no account, the urge and its deadline, the escalation, the street office's
reference; the channel's filter and breakdown in the queue and figures indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:58:38.247194
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
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


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy of the whole table: the requests table is the
    # largest, and its partial indexes must keep their WHERE.
    op.add_column('request_event', sa.Column('due_at', sa.DateTime(timezone=True),
                                             nullable=True))
    for name, type_ in COLUMNS:
        op.add_column('service_request', sa.Column(name, type_, nullable=True))
    op.drop_index('ix_service_request_figures', table_name='service_request')
    op.create_index('ix_service_request_figures', 'service_request', [*FIGURES, 'channel'])
    op.drop_index('ix_service_request_narrowing', table_name='service_request')
    op.create_index('ix_service_request_narrowing', 'service_request',
                    [*NARROWING, 'channel'])
    op.create_index('ix_service_request_channel_order', 'service_request',
                    ['channel', 'priority', 'created_at', 'id'])
    op.create_index('ix_service_request_open_channel', 'service_request',
                    ['channel', 'priority', 'created_at', 'id'],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index('ix_service_request_escalation', 'service_request',
                    ['escalated_at', 'resolve_by', 'respond_by', 'first_response_at'],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    for name in ('ix_service_request_escalation', 'ix_service_request_open_channel',
                 'ix_service_request_channel_order', 'ix_service_request_narrowing',
                 'ix_service_request_figures'):
        op.drop_index(name, table_name='service_request')
    op.create_index('ix_service_request_narrowing', 'service_request', NARROWING)
    op.create_index('ix_service_request_figures', 'service_request', FIGURES)
    # SQLite drops a column only by copying the table; there nothing else refers to these.
    with op.batch_alter_table('service_request') as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('request_event') as batch_op:
        batch_op.drop_column('due_at')
