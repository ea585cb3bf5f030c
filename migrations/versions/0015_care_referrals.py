"""Referrals between roles (转介, 跨岗联动) and aid applications filed by staff (代办)

Revision ID: 0015
Revises: 0014

A referral's note and outcome are Text holding Fernet tokens under PORTAL_DATA_KEY
(portal.db.EncryptedText). An aid application filed by staff names who filed it, and may
belong to no account (the person has none): its applicant is then empty.
Create Date: 2026-12-07 23:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

FILED_BY_KEY = 'fk_aid_application_filed_by_id_user'


def upgrade() -> None:
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FILED_BY_KEY, 'user', ['filed_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.alter_column('applicant_id', existing_type=sa.Integer(), nullable=True)

    op.create_table('care_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('to_role', sa.String(length=20), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('overdue_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('aid_application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['aid_application_id'], ['aid_application.id'], name=op.f('fk_care_referral_aid_application_id_aid_application'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handler_id'], ['user.id'], name=op.f('fk_care_referral_handler_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['care_person.id'], name=op.f('fk_care_referral_person_id_care_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referrer_id'], ['user.id'], name=op.f('fk_care_referral_referrer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_care_referral_request_id_service_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['care_visit.id'], name=op.f('fk_care_referral_visit_id_care_visit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_referral'))
    )
    with op.batch_alter_table('care_referral', schema=None) as batch_op:
        batch_op.create_index('ix_care_referral_role', ['to_role', 'closed_at', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_care_referral_referrer', ['referrer_id', 'closed_at', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_care_referral_all', ['closed_at', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_care_referral_overdue', ['status', 'overdue_told_at', 'due_on'], unique=False)
        batch_op.create_index('ix_care_referral_person', ['person_id', 'created_at'], unique=False)
        batch_op.create_index('ix_care_referral_request', ['request_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_referral_aid_application_id'), ['aid_application_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('care_referral', schema=None) as batch_op:
        for name in ('ix_care_referral_aid_application_id', 'ix_care_referral_request',
                     'ix_care_referral_person', 'ix_care_referral_overdue',
                     'ix_care_referral_all', 'ix_care_referral_referrer',
                     'ix_care_referral_role'):
            batch_op.drop_index(name)
    op.drop_table('care_referral')
    # Applications filed for someone with no account have no applicant: they go with it.
    op.execute("DELETE FROM aid_application WHERE applicant_id IS NULL")
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.alter_column('applicant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(FILED_BY_KEY, type_='foreignkey')
        batch_op.drop_column('filed_by_id')
