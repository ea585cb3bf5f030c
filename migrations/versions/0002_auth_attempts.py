"""Sign-in and registration attempts counted in the database, for rate limits that every
worker and app server shares

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 21:43:58.041901
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_attempt'))
    )
    with op.batch_alter_table('auth_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_attempt_at'), ['at'], unique=False)
        batch_op.create_index('ix_auth_attempt_subject', ['kind', 'subject', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('auth_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_auth_attempt_subject')
        batch_op.drop_index(batch_op.f('ix_auth_attempt_at'))

    op.drop_table('auth_attempt')
