"""a colour scheme remembered per account

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 08:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("theme", sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_user_theme_known"), "theme IN ('auto', 'light', 'dark')"
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_theme_known"), type_="check")
        batch_op.drop_column("theme")
