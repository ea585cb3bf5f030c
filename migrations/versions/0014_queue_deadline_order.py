"""The queue in deadline order (the next deadline first, priority breaking ties), and reply
templates offered by category and stage

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:57:12

The next deadline is the first response until it is given, then the resolution: the open
queue's partial indexes hold that expression, written as the models write it.
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'accepted', 'in_progress')"
NEXT_DEADLINE = "(CASE WHEN (first_response_at IS NULL) THEN respond_by ELSE resolve_by END)"
DUE_INDEXES = (("ix_service_request_open_due", ""),
               ("ix_service_request_open_due_role", "role, "),
               ("ix_service_request_open_due_assignee", "assignee_id, "))
FOREIGN_KEY = 'fk_request_reply_template_category_id_request_category'


def upgrade() -> None:
    with op.batch_alter_table('request_reply_template') as batch_op:
        batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage', sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f(FOREIGN_KEY), 'request_category',
                                    ['category_id'], ['id'], ondelete='SET NULL')
    # CONCURRENTLY on PostgreSQL, outside the migration's transaction, so the upgrade never
    # holds new requests (DESIGN.md, Migrations).
    postgres = op.get_bind().dialect.name == "postgresql"
    concurrently = "CONCURRENTLY " if postgres else ""

    def build():
        for name, leading in DUE_INDEXES:
            op.execute(f"CREATE INDEX {concurrently}{name} ON service_request "
                       f"({leading}{NEXT_DEADLINE}, priority, id) WHERE {OPEN}")

    if postgres:
        with op.get_context().autocommit_block():
            build()
    else:
        build()
        op.execute("ANALYZE service_request")


def downgrade() -> None:
    for name, _leading in DUE_INDEXES:
        op.drop_index(name, table_name='service_request')
    with op.batch_alter_table('request_reply_template') as batch_op:
        batch_op.drop_constraint(batch_op.f(FOREIGN_KEY), type_='foreignkey')
        batch_op.drop_column('stage')
        batch_op.drop_column('category_id')
