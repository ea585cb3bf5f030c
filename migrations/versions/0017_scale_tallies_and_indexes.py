"""Survey counts kept with each response (responses per survey, people per question, answers
per option), the aid queue's order as an index, and users by role and active

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:40:00

The results page and the staff home read these instead of counting every response: at
200,000 responses the counts took longer than the rest of the page. They are filled here
from the rows already there.

The aid queue sorted every application that reached staff for each page (a temporary B-tree
over 100,000 rows); its order, written as portal.aid.models.QUEUE_ORDER writes it, is now an
index over the sent applications, alone and after the stage, built CONCURRENTLY on
PostgreSQL (DESIGN.md, Migrations). A survey's audience of active residents is counted off
(role, active), which replaces the index on role alone.
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TEXT_KINDS = "('short_text', 'long_text')"
QUEUE_ORDER = "(stage_due_on IS NULL), stage_due_on, id"
QUEUE_INDEXES = (("ix_aid_application_due_order", ""),
                 ("ix_aid_application_stage_due_order", "stage, "))


def upgrade() -> None:
    op.create_table('survey_tally',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'],
                            name=op.f('fk_survey_tally_question_id_survey_question'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'number', name=op.f('pk_survey_tally'))
    )
    with op.batch_alter_table('survey') as batch_op:
        batch_op.add_column(sa.Column('responses', sa.Integer(), server_default='0',
                                      nullable=False))
    with op.batch_alter_table('survey_question') as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute("UPDATE survey SET responses = (SELECT count(*) FROM survey_response r "
               "WHERE r.survey_id = survey.id)")
    op.execute("UPDATE survey_question SET answered = (SELECT count(DISTINCT a.response_id) "
               "FROM survey_answer a WHERE a.question_id = survey_question.id)")
    op.execute("INSERT INTO survey_tally (question_id, number, answers) "  # noqa: S608
               "SELECT a.question_id, a.number, count(*) FROM survey_answer a "
               "JOIN survey_question q ON q.id = a.question_id "
               f"WHERE q.kind NOT IN {TEXT_KINDS} GROUP BY a.question_id, a.number")

    postgres = op.get_bind().dialect.name == "postgresql"
    concurrently = "CONCURRENTLY " if postgres else ""

    def build():
        for name, leading in QUEUE_INDEXES:
            op.execute(f"CREATE INDEX {concurrently}{name} ON aid_application "
                       f"({leading}{QUEUE_ORDER}) WHERE submitted_at IS NOT NULL")
        op.execute(f'CREATE INDEX {concurrently}ix_user_role_active ON "user" (role, active)')
        op.execute(f"DROP INDEX {concurrently}ix_user_role")

    if postgres:
        with op.get_context().autocommit_block():
            build()
    else:
        build()
        op.execute('ANALYZE aid_application')
        op.execute('ANALYZE "user"')


def downgrade() -> None:
    op.create_index('ix_user_role', 'user', ['role'], unique=False)
    op.drop_index('ix_user_role_active', table_name='user')
    for name, _leading in QUEUE_INDEXES:
        op.drop_index(name, table_name='aid_application')
    with op.batch_alter_table('survey_question') as batch_op:
        batch_op.drop_column('answered')
    with op.batch_alter_table('survey') as batch_op:
        batch_op.drop_column('responses')
    op.drop_table('survey_tally')
