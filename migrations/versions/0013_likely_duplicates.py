"""Likely duplicates: the requests of a building and category by the time they came in, so
a request's staff page reads only the last 30 days of its neighbours

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:11:50.949300
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _in_place(build) -> None:
    """CONCURRENTLY on PostgreSQL, outside the migration's transaction, so the upgrade never
    holds new requests (DESIGN.md, Migrations); SQLite has no such option."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            build(True)
    else:
        build(False)


def upgrade() -> None:
    _in_place(lambda concurrently: op.create_index(
        'ix_service_request_alike', 'service_request', ['building', 'category_id', 'created_at'],
        postgresql_concurrently=concurrently))


def downgrade() -> None:
    _in_place(lambda concurrently: op.drop_index(
        'ix_service_request_alike', table_name='service_request',
        postgresql_concurrently=concurrently))
