"""The care register, its changes, visits and pending imports

Revision ID: 0011
Revises: 0010

Sensitive fields (health, ID number, contacts, notes, a visit's note, a pending import's rows)
are Text holding Fernet tokens under PORTAL_DATA_KEY (portal.db.EncryptedText).
Create Date: 2026-12-07 15:15:02.799213
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('care_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['user.id'], name=op.f('fk_care_import_staff_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_import'))
    )
    with op.batch_alter_table('care_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_import_staff_id'), ['staff_id'], unique=False)

    op.create_table('care_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('natural_key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('building', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('room', sa.String(length=20), nullable=True),
    sa.Column('categories', sa.String(length=200), nullable=False),
    sa.Column('needs', sa.String(length=200), nullable=False),
    sa.Column('grid_worker_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('risk', sa.String(length=10), nullable=False),
    sa.Column('legal_basis', sa.String(length=20), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('health', sa.Text(), nullable=True),
    sa.Column('id_number', sa.Text(), nullable=True),
    sa.Column('contacts', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('next_visit_on', sa.Date(), nullable=False),
    sa.Column('last_visit_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['grid_worker_id'], ['user.id'], name=op.f('fk_care_person_grid_worker_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_care_person_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_person')),
    sa.UniqueConstraint('natural_key', name=op.f('uq_care_person_natural_key'))
    )
    with op.batch_alter_table('care_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_person_building'), ['building'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_person_phone'), ['phone'], unique=False)
        batch_op.create_index('ix_care_person_worker_due', ['grid_worker_id', 'next_visit_on'], unique=False)
        batch_op.create_index('ix_care_person_due', ['next_visit_on', 'id'], unique=False)

    op.create_table('care_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fields', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_care_change_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['care_person.id'], name=op.f('fk_care_change_person_id_care_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_change'))
    )
    with op.batch_alter_table('care_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_change_person_id'), ['person_id'], unique=False)

    op.create_table('care_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('was_due_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('needs_seen', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('referral_needed', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['care_person.id'], name=op.f('fk_care_visit_person_id_care_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['stored_file.id'], name=op.f('fk_care_visit_photo_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visitor_id'], ['user.id'], name=op.f('fk_care_visit_visitor_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_visit'))
    )
    with op.batch_alter_table('care_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_visit_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_visit_photo_id'), ['photo_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('care_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_visit_photo_id'))
        batch_op.drop_index(batch_op.f('ix_care_visit_person_id'))

    op.drop_table('care_visit')
    with op.batch_alter_table('care_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_change_person_id'))

    op.drop_table('care_change')
    with op.batch_alter_table('care_person', schema=None) as batch_op:
        batch_op.drop_index('ix_care_person_worker_due')
        batch_op.drop_index('ix_care_person_due')
        batch_op.drop_index(batch_op.f('ix_care_person_phone'))
        batch_op.drop_index(batch_op.f('ix_care_person_building'))

    op.drop_table('care_person')
    with op.batch_alter_table('care_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_import_staff_id'))

    op.drop_table('care_import')
