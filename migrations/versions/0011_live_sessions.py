"""live sessions, players and answers; assignment kind

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 09:02:49.799650

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('pin', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('names', sa.String(length=8), nullable=False),
    sa.Column('streak_bonus', sa.Boolean(), nullable=False),
    sa.Column('question_ids', JSON_TYPE, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_limit', sa.Integer(), nullable=True),
    sa.Column('paused_remaining_ms', sa.Integer(), nullable=True),
    sa.Column('blocklist', JSON_TYPE, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("names IN ('shown', 'hidden')", name=op.f('ck_live_session_names_known')),
    sa.CheckConstraint("state IN ('lobby', 'question', 'reveal', 'finished')", name=op.f('ck_live_session_state_known')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_live_session_assignment_id_assignment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_live_session_classroom_id_classroom'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_id'], ['user.id'], name=op.f('fk_live_session_host_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['question_set.id'], name=op.f('fk_live_session_set_id_question_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_live_session_assignment_id'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_set_id'), ['set_id'], unique=False)
        batch_op.create_index('uq_live_session_pin_running', ['pin'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('live_player',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('nickname', sa.String(length=80), nullable=False),
    sa.Column('nickname_key', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_player_session_id_live_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_live_player_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_player')),
    sa.UniqueConstraint('session_id', 'nickname_key', name=op.f('uq_live_player_session_id_nickname_key')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_live_player_session_id_user_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_live_player_token_hash'))
    )
    with op.batch_alter_table('live_player', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_player_user_id'), ['user_id'], unique=False)

    op.create_table('live_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('answer', JSON_TYPE, nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_live_answer_score_fraction')),
    sa.ForeignKeyConstraint(['player_id'], ['live_player.id'], name=op.f('fk_live_answer_player_id_live_player'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_live_answer_question_id_question')),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_answer_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answer')),
    sa.UniqueConstraint('player_id', 'position', name=op.f('uq_live_answer_player_id_position'))
    )
    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index('ix_live_answer_session_id_position', ['session_id', 'position'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='regular', nullable=False))
        batch_op.create_check_constraint(op.f('ck_assignment_kind_known'), "kind IN ('regular', 'live')")



def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assignment_kind_known'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_live_answer_session_id_position')
        batch_op.drop_index(batch_op.f('ix_live_answer_question_id'))

    op.drop_table('live_answer')
    with op.batch_alter_table('live_player', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_player_user_id'))

    op.drop_table('live_player')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index('uq_live_session_pin_running', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_live_session_set_id'))
        batch_op.drop_index(batch_op.f('ix_live_session_host_id'))
        batch_op.drop_index(batch_op.f('ix_live_session_classroom_id'))

    op.drop_table('live_session')
