"""item statistics kept as sums: assignment_stat, item_stat, item_tally

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:00:00.000000

The tables start empty: after upgrading a database that has graded attempts, run
`flask --app quizapp gradebook rebuild-stats` once (docs/DEPLOYMENT.md, Upgrades).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assignment_stat",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_stat_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_assignment_stat")),
    )
    op.create_table(
        "item_stat",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_right", sa.Integer(), nullable=False),
        sa.Column("sum_x", sa.BigInteger(), nullable=False),
        sa.Column("sum_xx", sa.BigInteger(), nullable=False),
        sa.Column("sum_y", sa.BigInteger(), nullable=False),
        sa.Column("sum_yy", sa.BigInteger(), nullable=False),
        sa.Column("sum_xy", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_item_stat_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", "question_key", name=op.f("pk_item_stat")),
    )
    op.create_table(
        "item_tally",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('choice', 'place', 'wrong', 'seconds')",
            name=op.f("ck_item_tally_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_item_tally_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "assignment_id", "question_key", "kind", "value", name=op.f("pk_item_tally")
        ),
    )


def downgrade():
    op.drop_table("item_tally")
    op.drop_table("item_stat")
    op.drop_table("assignment_stat")
