"""The open interface (Open311): API keys, the extra questions of a category, what a request
created through the API came with; such a request may have no owner account

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:54:04.145530
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('may_read_details', sa.Boolean(), nullable=False),
    sa.Column('may_create', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_key_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_key_secret_hash'))
    )
    op.create_table('api_service_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('prompt_zh', sa.String(length=200), nullable=False),
    sa.Column('prompt_en', sa.String(length=200), nullable=False),
    sa.Column('datatype', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['request_category.id'], name=op.f('fk_api_service_question_category_id_request_category'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_service_question'))
    )
    with op.batch_alter_table('api_service_question', schema=None) as batch_op:
        batch_op.create_index('ix_api_service_question_category', ['category_id', 'position'], unique=False)

    op.create_table('api_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('media_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_api_submission_api_key_id_api_key'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_api_submission_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_submission')),
    sa.UniqueConstraint('request_id', name=op.f('uq_api_submission_request_id')),
    sa.UniqueConstraint('token', name=op.f('uq_api_submission_token'))
    )
    with op.batch_alter_table('api_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_submission_api_key_id'), ['api_key_id'], unique=False)

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.alter_column('owner_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_service_request_category_created', ['category_id', 'created_at'], unique=False)



def downgrade() -> None:
    # Requests with no owner account can't exist before this revision.
    op.execute("DELETE FROM service_request WHERE owner_id IS NULL")
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_category_created')
        batch_op.alter_column('owner_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('api_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_submission_api_key_id'))

    op.drop_table('api_submission')
    with op.batch_alter_table('api_service_question', schema=None) as batch_op:
        batch_op.drop_index('ix_api_service_question_category')

    op.drop_table('api_service_question')
    op.drop_table('api_key')
