"""Aid's own audit table joins the one audit log: every aid_audit row is copied into
audit_entry (area "aid", the application's reference as the target), then aid_audit goes

Downgrade recreates aid_audit, empty, with its append-only trigger: the copied lines stay in
audit_entry, which is append-only itself, so an upgrade after a downgrade copies nothing twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The stage forms were recorded under their form's name; the log now names the action.
COPY = """
    INSERT INTO audit_entry (at, actor_id, area, action, target, detail)
    SELECT a.at, a.actor_id, 'aid',
           CASE a.action
               WHEN 'return_form' THEN 'return'
               WHEN 'investigation_form' THEN 'investigation'
               WHEN 'notice_form' THEN 'notice'
               WHEN 'decision_form' THEN 'decision'
               WHEN 'payment_form' THEN 'payment'
               WHEN 'review_form' THEN 'review'
               WHEN 'extend_form' THEN 'extend'
               ELSE a.action
           END,
           COALESCE(app.ref, ''), a.detail
    FROM aid_audit a LEFT JOIN aid_application app ON app.id = a.application_id
    ORDER BY a.id
"""


def upgrade() -> None:
    op.execute(COPY)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS aid_audit_append_only ON aid_audit")
        op.execute("DROP FUNCTION IF EXISTS aid_audit_append_only()")
    with op.batch_alter_table('aid_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_audit_at'))
        batch_op.drop_index(batch_op.f('ix_aid_audit_application_id'))
        batch_op.drop_index(batch_op.f('ix_aid_audit_actor_id'))
    op.drop_table('aid_audit')


def downgrade() -> None:
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION aid_audit_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'aid_audit is append-only'; END $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER aid_audit_append_only BEFORE UPDATE OR DELETE ON aid_audit
            FOR EACH ROW EXECUTE FUNCTION aid_audit_append_only()
        """)
