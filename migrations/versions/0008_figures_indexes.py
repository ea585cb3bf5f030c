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


def upgrade() -> None:
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_figures', ['created_at', 'status', 'first_response_at', 'respond_by', 'resolved_at', 'resolve_by', 'role', 'category_id', 'building', 'assignee_id'], unique=False)
        batch_op.create_index('ix_service_request_narrowing', ['id', 'role', 'category_id', 'building', 'assignee_id'], unique=False)
        batch_op.drop_index('ix_service_request_created')
        batch_op.drop_index('ix_service_request_rated_at')
    # SQLite's planner weighs an index by its statistics: without them it keeps reading the
    # month through the older, narrower indexes and the table.
    op.execute("ANALYZE service_request")


def downgrade() -> None:
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_rated_at', ['rated_at', 'rating'], unique=False)
        batch_op.create_index('ix_service_request_created', ['created_at', 'first_response_at'], unique=False)
        batch_op.drop_index('ix_service_request_narrowing')
        batch_op.drop_index('ix_service_request_figures')
