"""assignment score rule and teachers' score overrides

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("score_rule", sa.String(length=8), server_default="best", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_assignment_score_rule_known"), "score_rule IN ('best', 'last', 'average')"
        )
    op.create_table(
        "score_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "score >= 0 AND score <= 1", name=op.f("ck_score_override_score_fraction")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user.id"], name=op.f("fk_score_override_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_score_override_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_override")),
        sa.UniqueConstraint("response_id", name=op.f("uq_score_override_response_id")),
    )
    with op.batch_alter_table("score_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_override_by_id"), ["by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("score_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_override_by_id"))
    op.drop_table("score_override")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assignment_score_rule_known"), type_="check")
        batch_op.drop_column("score_rule")
