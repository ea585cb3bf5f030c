"""Likely duplicates: the requests of a building and category by the time they came in, so
a request's staff page reads only the last 30 days of its neighbours

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 15:11:50.949300
"""

from alembic import op

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_service_request_alike', 'service_request',
                    ['building', 'category_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_service_request_alike', table_name='service_request')
