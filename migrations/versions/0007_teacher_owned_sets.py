"""teacher-owned question sets: owner, YAML source and draft, shares, images; try-it attempts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_set", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_question_set_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_question_set_owner_id_user"),
            "user",
            ["owner_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trial", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.create_table(
        "set_source",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column(
            "draft_errors",
            sa.JSON(none_as_null=True).with_variant(
                sa.dialects.postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["question_set.id"],
            name=op.f("fk_set_source_set_id_question_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_set_source_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("set_id", name=op.f("pk_set_source")),
    )
    with op.batch_alter_table("set_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_set_source_updated_by_id"), ["updated_by_id"], unique=False
        )
    op.create_table(
        "set_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("can_edit", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["question_set.id"],
            name=op.f("fk_set_share_set_id_question_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_set_share_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_share")),
        sa.UniqueConstraint("set_id", "user_id", name=op.f("uq_set_share_set_id_user_id")),
    )
    with op.batch_alter_table("set_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_set_share_user_id"), ["user_id"], unique=False)
    op.create_table(
        "set_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["question_set.id"],
            name=op.f("fk_set_image_set_id_question_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_image")),
        sa.UniqueConstraint("set_id", "name", name=op.f("uq_set_image_set_id_name")),
    )
    with op.batch_alter_table("set_image", schema=None) as batch_op:
        batch_op.create_index("ix_set_image_sha256", ["sha256"], unique=False)


def downgrade():
    with op.batch_alter_table("set_image", schema=None) as batch_op:
        batch_op.drop_index("ix_set_image_sha256")
    op.drop_table("set_image")
    with op.batch_alter_table("set_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_share_user_id"))
    op.drop_table("set_share")
    with op.batch_alter_table("set_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_source_updated_by_id"))
    op.drop_table("set_source")
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("trial")
    with op.batch_alter_table("question_set", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_question_set_owner_id_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_question_set_owner_id"))
        batch_op.drop_column("owner_id")
