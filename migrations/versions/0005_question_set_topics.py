"""question set topic labels

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_set", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "topics",
                sa.JSON(none_as_null=True).with_variant(
                    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
                ),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("question_set", schema=None) as batch_op:
        batch_op.drop_column("topics")
