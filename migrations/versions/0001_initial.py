"""The whole schema of Linli 0.1.0, squashed into one migration before the first install.

The reference data every community needs (request categories, reply templates, aid types) is
seeded by ``portal init``, not here: a migration holds schema only.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("aid_audit", "audit_entry")


def upgrade() -> None:
    op.create_table('aid_holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_aid_holiday'))
    )
    op.create_table('aid_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('eligibility_zh', sa.Text(), nullable=False),
    sa.Column('eligibility_en', sa.Text(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('needs_notice', sa.Boolean(), nullable=False),
    sa.Column('asks_assets', sa.Boolean(), nullable=False),
    sa.Column('has_kinds', sa.Boolean(), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_type')),
    sa.UniqueConstraint('code', name=op.f('uq_aid_type_code'))
    )
    op.create_table('board_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('building', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_profile')),
    sa.UniqueConstraint('slug', name=op.f('uq_board_profile_slug'))
    )
    op.create_table('daily_counter',
    sa.Column('series', sa.String(length=4), nullable=False),
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'day', name=op.f('pk_daily_counter'))
    )
    op.create_table('request_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_category')),
    sa.UniqueConstraint('key', name=op.f('uq_request_category_key'))
    )
    op.create_table('request_reply_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_reply_template'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('building', sa.String(length=20), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('room', sa.String(length=20), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('phone', name=op.f('uq_user_phone'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_building'), ['building'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_role'), ['role'], unique=False)

    op.create_table('activity_calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=48), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_activity_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_activity_calendar_feed_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_activity_calendar_feed_user_id'))
    )
    op.create_table('aid_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=24), nullable=False),
    sa.Column('start_key', sa.String(length=40), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('sections_done', sa.JSON(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=True),
    sa.Column('id_cipher', sa.Text(), nullable=True),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('id_masked', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('income_fen', sa.Integer(), nullable=True),
    sa.Column('irregular_income', sa.Boolean(), nullable=False),
    sa.Column('housing', sa.String(length=20), nullable=True),
    sa.Column('vehicles', sa.Integer(), nullable=True),
    sa.Column('savings_fen', sa.Integer(), nullable=True),
    sa.Column('circumstances', sa.Text(), nullable=True),
    sa.Column('consent_processing_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('stage_due_on', sa.Date(), nullable=True),
    sa.Column('notice_starts_on', sa.Date(), nullable=True),
    sa.Column('notice_ends_on', sa.Date(), nullable=True),
    sa.Column('proposed_fen', sa.Integer(), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('approved_fen', sa.Integer(), nullable=True),
    sa.Column('start_month', sa.String(length=7), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.Column('review_months', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['user.id'], name=op.f('fk_aid_application_applicant_id_user')),
    sa.ForeignKeyConstraint(['type_id'], ['aid_type.id'], name=op.f('fk_aid_application_type_id_aid_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_application')),
    sa.UniqueConstraint('key', name=op.f('uq_aid_application_key')),
    sa.UniqueConstraint('ref', name=op.f('uq_aid_application_ref')),
    sa.UniqueConstraint('start_key', name=op.f('uq_aid_application_start_key'))
    )
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_application_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_application_id_hash'), ['id_hash'], unique=False)
        batch_op.create_index('ix_aid_application_notice', ['notice_starts_on', 'notice_ends_on'], unique=False)
        batch_op.create_index('ix_aid_application_queue', ['stage', 'stage_due_on'], unique=False)
        batch_op.create_index('ix_aid_application_type_stage', ['type_id', 'stage'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_alert_raised_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('form_key', name=op.f('uq_alert_form_key'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_active', ['withdrawn_at', 'expires_at'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_entry_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_actor', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_area', ['area', 'action', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_at', ['at', 'id'], unique=False)
        batch_op.create_index('ix_audit_entry_target', ['area', 'target'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_meeting_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('form_key', name=op.f('uq_meeting_form_key'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_published_held', ['published', 'held_on', 'id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbox_message_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_pending', ['sent_at', 'id'], unique=False)

    op.create_table('service_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('building', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('external_ref', sa.String(length=60), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('many_households', sa.Boolean(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('outcome_note', sa.String(length=500), nullable=True),
    sa.Column('transferred_to', sa.String(length=100), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('respond_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_service_request_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['request_category.id'], name=op.f('fk_service_request_category_id_request_category')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['service_request.id'], name=op.f('fk_service_request_merged_into_id_service_request'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_service_request_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_request')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_service_request_idempotency_key')),
    sa.UniqueConstraint('ref', name=op.f('uq_service_request_ref'))
    )
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_service_request_created', ['created_at'], unique=False)
        batch_op.create_index('ix_service_request_order', ['priority', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_service_request_owner_activity', ['owner_id', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_service_request_queue', ['status', 'priority', 'created_at'], unique=False)
        batch_op.create_index('ix_service_request_resolved', ['status', 'resolved_at'], unique=False)
        batch_op.create_index('ix_service_request_role_queue', ['role', 'status', 'priority', 'created_at'], unique=False)
        batch_op.create_index('ix_service_request_similar', ['building', 'category_id', 'status'], unique=False)

    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=48), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=30), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('attached', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_stored_file_owner_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('token', name=op.f('uq_stored_file_token'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index('ix_stored_file_owner_pending', ['owner_id', 'attached'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('audience_key', sa.String(length=40), nullable=False),
    sa.Column('audience_params', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('summary_published', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_status'), ['status'], unique=False)

    op.create_table('user_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('permission', sa.String(length=40), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_user_grant_granted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_grant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_grant')),
    sa.UniqueConstraint('user_id', 'permission', name=op.f('uq_user_grant_user_id'))
    )
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('max_companions', sa.Integer(), nullable=False),
    sa.Column('signup_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signup_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cover_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('form_key', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_activity_capacity_positive')),
    sa.CheckConstraint('max_companions BETWEEN 0 AND 3', name=op.f('ck_activity_companions_range')),
    sa.ForeignKeyConstraint(['cover_id'], ['stored_file.id'], name=op.f('fk_activity_cover_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_activity_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('form_key', name=op.f('uq_activity_form_key'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_cover_id'), ['cover_id'], unique=False)
        batch_op.create_index('ix_activity_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('aid_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_aid_audit_actor_id_user')),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_audit_application_id_aid_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_audit'))
    )
    with op.batch_alter_table('aid_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_audit_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_audit_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_audit_at'), ['at'], unique=False)

    op.create_table('aid_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_aid_event_actor_id_user')),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_event_application_id_aid_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_event'))
    )
    with op.batch_alter_table('aid_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_event_application_id'), ['application_id'], unique=False)

    op.create_table('aid_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_file_application_id_aid_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_aid_file_file_id_stored_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_file')),
    sa.UniqueConstraint('file_id', name=op.f('uq_aid_file_file_id'))
    )
    with op.batch_alter_table('aid_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_file_application_id'), ['application_id'], unique=False)

    op.create_table('aid_material_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_material_review_application_id_aid_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_aid_material_review_reviewer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_material_review')),
    sa.UniqueConstraint('application_id', 'item', name=op.f('uq_aid_material_review_application_id'))
    )
    with op.batch_alter_table('aid_material_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_material_review_application_id'), ['application_id'], unique=False)

    op.create_table('aid_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('id_cipher', sa.Text(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('id_masked', sa.String(length=18), nullable=False),
    sa.Column('income_fen', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_member_application_id_aid_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_member'))
    )
    with op.batch_alter_table('aid_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_member_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_member_id_hash'), ['id_hash'], unique=False)

    op.create_table('aid_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_payment_application_id_aid_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_aid_payment_recorded_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_payment')),
    sa.UniqueConstraint('application_id', 'month', name=op.f('uq_aid_payment_application_id'))
    )
    with op.batch_alter_table('aid_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_payment_application_id'), ['application_id'], unique=False)

    op.create_table('meeting_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_meeting_attachment_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attachment_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attachment')),
    sa.UniqueConstraint('file_id', name=op.f('uq_meeting_attachment_file_id'))
    )
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attachment_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_version_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_version')),
    sa.UniqueConstraint('meeting_id', 'version', name=op.f('uq_meeting_version_meeting_id'))
    )
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['stored_file.id'], name=op.f('fk_notice_attachment_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_notice_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('form_key', name=op.f('uq_notice_form_key'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_notice_listing', ['withdrawn_at', 'pinned', 'published_at'], unique=False)

    op.create_table('request_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_request_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_request_event_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_event'))
    )
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.create_index('ix_request_event_request', ['request_id', 'created_at'], unique=False)

    op.create_table('request_follower',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_request_follower_request_id_service_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_request_follower_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_follower')),
    sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_request_follower_request_id'))
    )
    with op.batch_alter_table('request_follower', schema=None) as batch_op:
        batch_op.create_index('ix_request_follower_user', ['user_id', 'request_id'], unique=False)

    op.create_table('request_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_request_photo_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_request_photo_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_photo')),
    sa.UniqueConstraint('file_id', name=op.f('uq_request_photo_file_id'))
    )
    with op.batch_alter_table('request_photo', schema=None) as batch_op:
        batch_op.create_index('ix_request_photo_request', ['request_id'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=80), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_resolution_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution')),
    sa.UniqueConstraint('form_key', name=op.f('uq_resolution_form_key'))
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_resolution_status_due', ['status', 'due_on'], unique=False)

    op.create_table('survey_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_participation_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_participation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_participation')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_survey_participation_survey_id'))
    )
    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_participation_user_id'), ['user_id'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('help', sa.String(length=300), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index('ix_survey_question_survey_position', ['survey_id', 'position'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_response_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_survey_response_survey_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('activity_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('companions', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('checkin_code', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('companions BETWEEN 0 AND 3', name=op.f('ck_activity_signup_companions_range')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_signup_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_activity_signup_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_signup')),
    sa.UniqueConstraint('activity_id', 'checkin_code', name='uq_activity_signup_code'),
    sa.UniqueConstraint('activity_id', 'seq', name='uq_activity_signup_seq'),
    sa.UniqueConstraint('activity_id', 'user_id', name='uq_activity_signup_person')
    )
    with op.batch_alter_table('activity_signup', schema=None) as batch_op:
        batch_op.create_index('ix_activity_signup_activity_status', ['activity_id', 'status', 'seq'], unique=False)
        batch_op.create_index('ix_activity_signup_user', ['user_id', 'status'], unique=False)

    op.create_table('notice_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_read_notice_id_notice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notice_read_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'notice_id', name=op.f('pk_notice_read'))
    )
    op.create_table('resolution_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_resolution_update_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], name=op.f('fk_resolution_update_resolution_id_resolution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution_update')),
    sa.UniqueConstraint('form_key', name=op.f('uq_resolution_update_form_key'))
    )
    with op.batch_alter_table('resolution_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_update_resolution_id'), ['resolution_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', 'number', name=op.f('pk_survey_answer')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answer_question_number', ['question_id', 'number', 'response_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            # Audit logs are append-only: refuse UPDATE and DELETE in the database too.
            op.execute(f"""
                CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql
            """)
            op.execute(f"""
                CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answer_question_number')

    op.drop_table('survey_answer')
    with op.batch_alter_table('resolution_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolution_update_resolution_id'))

    op.drop_table('resolution_update')
    op.drop_table('notice_read')
    with op.batch_alter_table('activity_signup', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_signup_user')
        batch_op.drop_index('ix_activity_signup_activity_status')

    op.drop_table('activity_signup')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_question_survey_position')

    op.drop_table('survey_question')
    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_participation_user_id'))

    op.drop_table('survey_participation')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_status_due')
        batch_op.drop_index(batch_op.f('ix_resolution_meeting_id'))

    op.drop_table('resolution')
    with op.batch_alter_table('request_photo', schema=None) as batch_op:
        batch_op.drop_index('ix_request_photo_request')

    op.drop_table('request_photo')
    with op.batch_alter_table('request_follower', schema=None) as batch_op:
        batch_op.drop_index('ix_request_follower_user')

    op.drop_table('request_follower')
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.drop_index('ix_request_event_request')

    op.drop_table('request_event')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_listing')
        batch_op.drop_index(batch_op.f('ix_notice_expires_at'))

    op.drop_table('notice')
    op.drop_table('meeting_version')
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attachment_meeting_id'))

    op.drop_table('meeting_attachment')
    with op.batch_alter_table('aid_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_payment_application_id'))

    op.drop_table('aid_payment')
    with op.batch_alter_table('aid_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_member_id_hash'))
        batch_op.drop_index(batch_op.f('ix_aid_member_application_id'))

    op.drop_table('aid_member')
    with op.batch_alter_table('aid_material_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_material_review_application_id'))

    op.drop_table('aid_material_review')
    with op.batch_alter_table('aid_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_file_application_id'))

    op.drop_table('aid_file')
    with op.batch_alter_table('aid_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_event_application_id'))

    op.drop_table('aid_event')
    with op.batch_alter_table('aid_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_audit_at'))
        batch_op.drop_index(batch_op.f('ix_aid_audit_application_id'))
        batch_op.drop_index(batch_op.f('ix_aid_audit_actor_id'))

    op.drop_table('aid_audit')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_status_starts')
        batch_op.drop_index(batch_op.f('ix_activity_cover_id'))
        batch_op.drop_index(batch_op.f('ix_activity_category'))

    op.drop_table('activity')
    op.drop_table('user_grant')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_status'))

    op.drop_table('survey')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_file_owner_pending')

    op.drop_table('stored_file')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_similar')
        batch_op.drop_index('ix_service_request_role_queue')
        batch_op.drop_index('ix_service_request_resolved')
        batch_op.drop_index('ix_service_request_queue')
        batch_op.drop_index('ix_service_request_owner_activity')
        batch_op.drop_index('ix_service_request_order')
        batch_op.drop_index('ix_service_request_created')
        batch_op.drop_index('ix_service_request_assignee')

    op.drop_table('service_request')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_pending')

    op.drop_table('outbox_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_user_created')

    op.drop_table('notification')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_published_held')

    op.drop_table('meeting')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_target')
        batch_op.drop_index('ix_audit_entry_at')
        batch_op.drop_index('ix_audit_entry_area')
        batch_op.drop_index('ix_audit_entry_actor')

    op.drop_table('audit_entry')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_active')

    op.drop_table('alert')
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.drop_index('ix_aid_application_type_stage')
        batch_op.drop_index('ix_aid_application_queue')
        batch_op.drop_index('ix_aid_application_notice')
        batch_op.drop_index(batch_op.f('ix_aid_application_id_hash'))
        batch_op.drop_index(batch_op.f('ix_aid_application_applicant_id'))

    op.drop_table('aid_application')
    op.drop_table('activity_calendar_feed')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_role'))
        batch_op.drop_index(batch_op.f('ix_user_building'))

    op.drop_table('user')
    op.drop_table('request_reply_template')
    op.drop_table('request_category')
    op.drop_table('daily_counter')
    op.drop_table('board_profile')
    op.drop_table('aid_type')
    op.drop_table('aid_holiday')
