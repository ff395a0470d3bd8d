"""flags on an attempt's questions and assignment names

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flagged", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("name")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("flagged")
