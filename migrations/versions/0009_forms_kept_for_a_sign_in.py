"""Forms kept for a sign-in: a resident form sent after the sign-in ended, kept for the same browser

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:44:44.603495
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lookup', sa.String(length=64), nullable=False),
    sa.Column('known_user_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=1000), nullable=False),
    sa.Column('page', sa.String(length=1000), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('file_tokens', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['known_user_id'], ['user.id'], name=op.f('fk_kept_form_known_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kept_form_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_form')),
    sa.UniqueConstraint('lookup', name=op.f('uq_kept_form_lookup'))
    )
    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.create_index('ix_kept_form_expires_at', ['expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.drop_index('ix_kept_form_expires_at')

    op.drop_table('kept_form')
