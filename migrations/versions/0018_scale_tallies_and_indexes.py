"""Survey counts kept with each response (responses per survey, people per question, answers
per option)

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-07 23:40:00

The results page and the staff home read these instead of counting every response: at
200,000 responses the counts took longer than the rest of the page. They are filled here
from the rows already there.
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None

TEXT_KINDS = "('short_text', 'long_text')"


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
    op.execute("INSERT INTO survey_tally (question_id, number, answers) "
               "SELECT a.question_id, a.number, count(*) FROM survey_answer a "
               "JOIN survey_question q ON q.id = a.question_id "
               f"WHERE q.kind NOT IN {TEXT_KINDS} GROUP BY a.question_id, a.number")


def downgrade() -> None:
    with op.batch_alter_table('survey_question') as batch_op:
        batch_op.drop_column('answered')
    with op.batch_alter_table('survey') as batch_op:
        batch_op.drop_column('responses')
    op.drop_table('survey_tally')
