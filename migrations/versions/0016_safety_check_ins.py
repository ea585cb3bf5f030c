"""Safety check-ins (平安报): one per orange or red warning, one entry per person asked

Revision ID: 0016
Revises: 0015

New tables, so their indexes are built with them (nothing to build CONCURRENTLY). A help
request's note is Text holding a Fernet token under PORTAL_DATA_KEY (portal.db.EncryptedText).
Create Date: 2026-12-07 23:33:02.279452
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('safety_checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_safety_checkin_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_safety_checkin_closed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_safety_checkin_opened_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_checkin')),
    sa.UniqueConstraint('alert_id', name=op.f('uq_safety_checkin_alert_id'))
    )
    with op.batch_alter_table('safety_checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_checkin_closed_at'), ['closed_at'], unique=False)

    op.create_table('safety_checkin_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('care_person_id', sa.Integer(), nullable=True),
    sa.Column('building', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('room', sa.String(length=20), nullable=True),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('grid_worker_id', sa.Integer(), nullable=True),
    sa.Column('in_care', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rank', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=True),
    sa.Column('people', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['care_person_id'], ['care_person.id'], name=op.f('fk_safety_checkin_entry_care_person_id_care_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checkin_id'], ['safety_checkin.id'], name=op.f('fk_safety_checkin_entry_checkin_id_safety_checkin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_worker_id'], ['user.id'], name=op.f('fk_safety_checkin_entry_grid_worker_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_safety_checkin_entry_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_safety_checkin_entry_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_checkin_entry')),
    sa.UniqueConstraint('checkin_id', 'care_person_id', name='uq_checkin_entry_care_person'),
    sa.UniqueConstraint('checkin_id', 'user_id', name='uq_checkin_entry_user')
    )
    with op.batch_alter_table('safety_checkin_entry', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_entry_answered', ['checkin_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_checkin_entry_building', ['checkin_id', 'building', 'rank', 'id'], unique=False)
        batch_op.create_index('ix_checkin_entry_grid', ['checkin_id', 'grid_worker_id', 'rank', 'building', 'id'], unique=False)
        batch_op.create_index('ix_checkin_entry_order', ['checkin_id', 'rank', 'building', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('safety_checkin_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_entry_order')
        batch_op.drop_index('ix_checkin_entry_grid')
        batch_op.drop_index('ix_checkin_entry_building')
        batch_op.drop_index('ix_checkin_entry_answered')

    op.drop_table('safety_checkin_entry')
    with op.batch_alter_table('safety_checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_checkin_closed_at'))

    op.drop_table('safety_checkin')
