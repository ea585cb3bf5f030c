"""Figures: follow-up of bad ratings, stored monthly reports, an index for ratings and resolutions given in a period

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:02:08.783920
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monthly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_report')),
    sa.UniqueConstraint('month', name=op.f('uq_monthly_report_month'))
    )
    op.create_table('rating_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('outcome', sa.String(length=500), nullable=True),
    sa.Column('fix_plan', sa.String(length=500), nullable=True),
    sa.Column('fix_by', sa.Date(), nullable=True),
    sa.Column('view_changed', sa.Boolean(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_rating_follow_up_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_rating_follow_up_done_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['request_event.id'], name=op.f('fk_rating_follow_up_event_id_request_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_rating_follow_up_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_follow_up')),
    sa.UniqueConstraint('event_id', name=op.f('uq_rating_follow_up_event_id'))
    )
    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_rating_follow_up_open', ['done_at', 'due_at'], unique=False)
        batch_op.create_index('ix_rating_follow_up_rated', ['rated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_follow_up_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.create_index('ix_request_event_kind_at', ['kind', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.drop_index('ix_request_event_kind_at')

    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_follow_up_request_id'))
        batch_op.drop_index('ix_rating_follow_up_rated')
        batch_op.drop_index('ix_rating_follow_up_open')

    op.drop_table('rating_follow_up')
    op.drop_table('monthly_report')
