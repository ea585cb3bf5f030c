"""Which teams a deputy director oversees (分管): their escalations and bad-rating follow-ups

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 08:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('oversees', sa.String(length=120), server_default='',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('oversees')
